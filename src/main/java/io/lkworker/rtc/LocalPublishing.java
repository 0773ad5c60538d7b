package io.lkworker.rtc;

import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.LocalVideoTrackPublication;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.webrtc.Peer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's published tracks, audio ({@link TrackPublisher}) and video ({@link VideoPublisher}), as
 * the session sees them: publishing and unpublishing, the server's answers, and carrying them through
 * a resume ({@code SyncState}) and a full reconnect (detach, free, republish). One per {@link RtcSession},
 * made when it connects (it needs the engine) and kept through resumes and full reconnects.
 *
 * <p><b>Threads.</b> The session thread owns the state under it. {@code publish*}/{@code unpublish*}
 * are called on agent threads: they run their steps on the session thread ({@link RtcSession#call})
 * and wait on the agent's thread. {@link #republish} runs on the recovery thread; everything else on
 * the session thread.
 */
final class LocalPublishing {

    /** Logs as the session, whose lines these were before this class was split from it. */
    private static final Logger log = LoggerFactory.getLogger(RtcSession.class);

    private final RtcSession session;
    private final ParticipantTracker participants;
    private final TrackPublisher tracks;
    private final VideoPublisher videos;

    LocalPublishing(RtcSession session, ParticipantTracker participants, TrackPublisher tracks, VideoPublisher videos) {
        this.session = session;
        this.participants = participants;
        this.tracks = tracks;
        this.videos = videos;
    }

    // ---- audio (agent threads) ----------------------------------------------------------------------

    LocalTrackPublicationImpl publishAudio(LocalAudioTrack track, TrackPublishOptions publishOptions) {
        long deadline = Awaits.deadline(RtcSession.PUBLISH_TIMEOUT);
        session.awaitUsable(deadline);
        LocalTrackPublicationImpl pub = session.call(() -> {
            if (participants.local().publicationOf(track) != null) {
                throw new IllegalStateException(track + " is already published");
            }
            return new LocalTrackPublicationImpl(track, publishOptions);
        });
        tracks.publish(pub, deadline, false);
        log.info("published audio track {} ({})", pub.sid(), track.name());
        return pub;
    }

    void unpublishAudio(LocalAudioTrack track) {
        if (session.state() == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = session.call(() -> {
            LocalTrackPublicationImpl pub = participants.local().publicationOf(track);
            return pub == null ? CompletableFuture.completedFuture(null) : tracks.remove(pub, true, "track unpublished");
        });
        Awaits.await(done, Awaits.deadline(RtcSession.PUBLISH_TIMEOUT), "the media negotiation after unpublishing");
    }

    // ---- video (agent threads) ----------------------------------------------------------------------

    LocalVideoPublicationImpl publishVideo(LocalVideoTrack track, TrackPublishOptions publishOptions) {
        if (publishOptions.source() == TrackSource.MICROPHONE
                || publishOptions.source() == TrackSource.SCREEN_SHARE_AUDIO) {
            throw new IllegalArgumentException("a video track cannot be published as " + publishOptions.source()
                    + "; use TrackPublishOptions.video() (CAMERA) or withSource(SCREEN_SHARE)");
        }
        long deadline = Awaits.deadline(RtcSession.PUBLISH_TIMEOUT);
        session.awaitUsable(deadline);
        LocalVideoPublicationImpl pub = session.call(() -> {
            if (videos.publicationOf(track) != null) {
                throw new IllegalStateException(track + " is already published");
            }
            return new LocalVideoPublicationImpl(track, publishOptions);
        });
        videos.publish(pub, deadline, false);
        log.info("published video track {} ({}, {}x{})", pub.sid(), track.name(), track.source().width(),
                track.source().height());
        return pub;
    }

    void unpublishVideo(LocalVideoTrack track) {
        if (session.state() == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = session.call(() -> {
            LocalVideoPublicationImpl pub = videos.publicationOf(track);
            return pub == null ? CompletableFuture.completedFuture(null) : videos.remove(pub, true, "track unpublished");
        });
        Awaits.await(done, Awaits.deadline(RtcSession.PUBLISH_TIMEOUT), "the media negotiation after unpublishing video");
    }

    Map<String, LocalVideoTrackPublication> videoPublications() {
        return videos.snapshot();
    }

    /** Session thread: the server's view of our tracks (e.g. muted by an admin) reaches our video publications. */
    void updateOwnVideoInfo(List<LivekitModels.TrackInfo> tracksInfo) {
        for (LivekitModels.TrackInfo track : tracksInfo) {
            for (LocalVideoPublicationImpl pub : videos.publications()) {
                if (pub.sid().equals(track.getSid())) {
                    pub.update(track);
                }
            }
        }
    }

    // ---- the server's answers (session thread) ---------------------------------------------------------

    void onTrackPublished(LivekitRtc.TrackPublishedResponse response) {
        tracks.onTrackPublished(response);
        videos.onTrackPublished(response);
    }

    void onServerUnpublished(String trackSid) {
        tracks.onServerUnpublished(trackSid);
        videos.onServerUnpublished(trackSid);
    }

    void onRefused(LivekitRtc.RequestResponse response) {
        videos.onRefused(response);
    }

    // ---- resume, full reconnect, the end ----------------------------------------------------------------

    /** Session thread: fails every publish or unpublish waiting for the server. */
    void failPending(RoomException why) {
        tracks.failPending(why);
        videos.failPending(why);
    }

    /** Session thread, the room ended: the video publications are forgotten. */
    void forgetVideos() {
        videos.forgetAll();
    }

    /** Session thread: our published tracks, for a resume's {@code SyncState}. */
    void addPublishedTracks(LivekitRtc.SyncState.Builder sync) {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            if (pub.info() != null) {
                sync.addPublishTracks(LivekitRtc.TrackPublishedResponse.newBuilder().setCid(pub.cid()).setTrack(pub.info()));
            }
        }
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            if (pub.info() != null) {
                sync.addPublishTracks(LivekitRtc.TrackPublishedResponse.newBuilder().setCid(pub.cid()).setTrack(pub.info()));
            }
        }
    }

    /** Session thread, full reconnect: every local track stops sending on the old publisher. */
    void detach(Peer publisher) {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            pub.stopSending(publisher);
        }
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            pub.stopSending(publisher);
        }
    }

    /** Session thread, full reconnect: the native parts of every local track are freed. */
    void freeNative() {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            pub.freeNative();
        }
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            pub.freeNative();
        }
    }

    /** Recovery thread, after a full reconnect: every track again, keeping its publication. */
    void republish() {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            String oldSid = pub.sid();
            tracks.publish(pub, Awaits.deadline(RtcSession.PUBLISH_TIMEOUT), true);
            log.info("republished audio track {} as {} ({})", oldSid, pub.sid(), pub.track().name());
        }
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            String oldSid = pub.sid();
            videos.publish(pub, Awaits.deadline(RtcSession.PUBLISH_TIMEOUT), true);
            log.info("republished video track {} as {} ({})", oldSid, pub.sid(), pub.track().name());
        }
    }
}
