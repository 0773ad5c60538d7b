package io.lkworker.localserver.room;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.lkworker.localserver.Ids;
import io.lkworker.localserver.media.MediaForwarder;
import io.lkworker.localserver.media.TrackForwarder;
import io.lkworker.localserver.media.VideoForwarder;
import io.lkworker.webrtc.MediaEngine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import livekit.LivekitModels;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's tracks: publishing (audio and video, including media that came before its AddTrackRequest),
 * who is subscribed to what, muting, and unpublishing, each with the forwarder that carries the track.
 *
 * <p>Threads: owned by the room's thread, as its {@link LocalRoom}; every method runs there.
 */
final class RoomTracks {

    /** Logs under the room's logger, so the room's lines keep one logger name. */
    private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);

    /** What the tracks need of their room. */
    interface Room {
        String name();

        /** The participants in the room, in the order they joined. */
        Collection<ParticipantSession> participants();

        /** Applies a change to {@code s}'s info (new version) and tells the others (and, if asked, itself). */
        void update(ParticipantSession s, ParticipantInfo.Builder changed, boolean includeSelf);

        /** The media engine of the room's peer connections (there once someone joined). */
        MediaEngine engine();
    }

    /** A published track: who publishes it and the forwarder carrying it to subscribers. */
    private record Published(ParticipantSession publisher, TrackInfo info, MediaForwarder forwarder, String mediaId) {
    }

    private final Room room;
    private final Map<String, Published> published = new LinkedHashMap<>();

    RoomTracks(Room room) {
        this.room = room;
    }

    /** An AddTrackRequest: the track is announced to its publisher, or refused with why. */
    void onAddTrack(ParticipantSession s, LivekitRtc.AddTrackRequest add) {
        if (!s.info().getPermission().getCanPublish()) {
            refuse(s, LivekitRtc.RequestResponse.Reason.NOT_ALLOWED, "no permission to publish", add);
            return;
        }
        if (add.getType() == LivekitModels.TrackType.VIDEO) {
            onAddVideoTrack(s, add);
            return;
        }
        if (add.getType() != LivekitModels.TrackType.AUDIO) {
            refuse(s, LivekitRtc.RequestResponse.Reason.UNSUPPORTED_TYPE,
                    "the lk-worker development server forwards audio and video only", add);
            return;
        }
        TrackInfo track = TrackInfo.newBuilder()
                .setSid(Ids.next("TR_A"))
                .setType(add.getType())
                .setName(add.getName())
                .setSource(add.getSource())
                .setMuted(add.getMuted())
                .setDisableDtx(add.getDisableDtx())
                .setDisableRed(add.getDisableRed())
                .setStereo(add.getStereo())
                .addAllAudioFeatures(add.getAudioFeaturesList())
                .setMimeType("audio/opus")
                .build();
        s.addPendingTrack(add.getCid(), track);
        s.send(SignalResponse.newBuilder().setTrackPublished(LivekitRtc.TrackPublishedResponse.newBuilder()
                .setCid(add.getCid()).setTrack(track)).build());
        publishHeldMedia(s, add.getCid(), track);
    }

    /** The media for a track just announced came first (the client offered it with its request): publish it now. */
    private void publishHeldMedia(ParticipantSession s, String cid, TrackInfo track) {
        MediaStreamTrack held = s.takeUnannouncedMedia(cid,
                track.getType() == LivekitModels.TrackType.VIDEO ? MediaStreamTrack.VIDEO_TRACK_KIND : MediaStreamTrack.AUDIO_TRACK_KIND);
        if (held != null) {
            onPublishedMedia(s, held);
        }
    }

    private void refuse(ParticipantSession s, LivekitRtc.RequestResponse.Reason reason, String message,
                        LivekitRtc.AddTrackRequest add) {
        log.info("room '{}': refused a track of {}: {}", room.name(), s.identity(), message);
        s.send(SignalResponse.newBuilder().setRequestResponse(LivekitRtc.RequestResponse.newBuilder()
                .setReason(reason).setMessage(message).setAddTrack(add)).build());
    }

    /** The participant's publisher connection started receiving a track: publish it to the room. */
    void onPublishedMedia(ParticipantSession s, MediaStreamTrack track) {
        if (track instanceof VideoTrack video) {
            onPublishedVideo(s, video);
            return;
        }
        if (!(track instanceof AudioTrack audio)) {
            return;
        }
        String mediaId = track.getId();
        TrackInfo info = s.takePendingTrack(mediaId, LivekitModels.TrackType.AUDIO);
        if (info == null) {
            log.debug("room '{}': {} sent media {} before its AddTrackRequest; held", room.name(), s.identity(), mediaId);
            s.holdUnannouncedMedia(track);
            return;
        }
        Published p = new Published(s, info, new TrackForwarder(room.engine(), info.getSid(), audio), mediaId);
        log.info("room '{}': {} published audio track {} ({})", room.name(), s.identity(), info.getSid(), info.getName());
        announcePublished(s, p);
    }

    /** A forwarder for {@code p} exists: the room hears of the track and auto-subscribers receive it. */
    private void announcePublished(ParticipantSession s, Published p) {
        TrackInfo info = p.info();
        published.put(info.getSid(), p);
        room.update(s, s.info().toBuilder().addTracks(info), true);
        for (ParticipantSession other : room.participants()) {
            if (other != s && other.autoSubscribe && other.info().getPermission().getCanSubscribe()) {
                attach(other, p);
                other.negotiateSubscriber();
            }
        }
    }

    // ---- video ---------------------------------------------------------------------------------------

    /** An AddTrackRequest for video: accepted if {@link VideoTracks} can forward it, else refused with why. */
    private void onAddVideoTrack(ParticipantSession s, LivekitRtc.AddTrackRequest add) {
        long forwarding = published.values().stream()
                .filter(p -> p.info().getType() == LivekitModels.TrackType.VIDEO).count();
        VideoTracks.Verdict verdict = VideoTracks.check(add, (int) forwarding);
        if (!verdict.accepted()) {
            refuse(s, verdict.reason(), verdict.message(), add);
            return;
        }
        TrackInfo track = VideoTracks.trackInfo(Ids.next("TR_V"), add);
        s.addPendingTrack(add.getCid(), track);
        s.send(SignalResponse.newBuilder().setTrackPublished(LivekitRtc.TrackPublishedResponse.newBuilder()
                .setCid(add.getCid()).setTrack(track)).build());
        publishHeldMedia(s, add.getCid(), track);
    }

    private void onPublishedVideo(ParticipantSession s, VideoTrack video) {
        String mediaId = video.getId();
        TrackInfo info = s.takePendingTrack(mediaId, LivekitModels.TrackType.VIDEO);
        if (info == null) {
            log.debug("room '{}': {} sent video {} before its AddTrackRequest; held", room.name(), s.identity(), mediaId);
            s.holdUnannouncedMedia(video);
            return;
        }
        Published p = new Published(s, info, new VideoForwarder(room.engine(), info.getSid(), video, VideoTracks::fits), mediaId);
        log.info("room '{}': {} published video track {} ({}, {}x{})", room.name(), s.identity(), info.getSid(),
                info.getName(), info.getWidth(), info.getHeight());
        announcePublished(s, p);
    }

    /** The participant stopped sending a track (unpublished it). */
    void onUnpublishedMedia(ParticipantSession s, String mediaId) {
        s.dropUnannouncedMedia(mediaId);
        published.values().stream().filter(p -> p.publisher() == s && p.mediaId().equals(mediaId)).findFirst()
                .ifPresent(p -> unpublish(p, true));
    }

    private void unpublish(Published p, boolean announce) {
        published.remove(p.info().getSid());
        for (ParticipantSession other : room.participants()) {
            if (other.removeSubscription(p.info().getSid())) {
                other.negotiateSubscriber();
            }
        }
        p.forwarder().close();
        log.info("room '{}': track {} of {} unpublished", room.name(), p.info().getSid(), p.publisher().identity());
        if (announce && !p.publisher().isClosed()) {
            ParticipantInfo.Builder info = p.publisher().info().toBuilder().clearTracks();
            p.publisher().info().getTracksList().stream().filter(t -> !t.getSid().equals(p.info().getSid()))
                    .forEach(info::addTracks);
            room.update(p.publisher(), info, true);
        }
    }

    /** A participant just joined with auto-subscribe: it receives every track published so far. */
    void subscribeToAll(ParticipantSession subscriber) {
        for (Published p : published.values()) {
            attach(subscriber, p);
        }
    }

    /** A participant left: its tracks are unpublished (the room announces its departure itself). */
    void unpublishAllOf(ParticipantSession publisher) {
        for (Published p : new ArrayList<>(published.values())) {
            if (p.publisher() == publisher) {
                unpublish(p, false);
            }
        }
    }

    private void attach(ParticipantSession subscriber, Published p) {
        if (subscriber == p.publisher() || subscriber.isSubscribedTo(p.info().getSid())) {
            return;
        }
        // LiveKit's stream id packs the publisher and the track: "<PA_sid>|<TR_sid>".
        String streamId = p.publisher().sid() + "|" + p.info().getSid();
        subscriber.addSubscription(p.info().getSid(), p.forwarder().attach(subscriber.subscriberPeer(), streamId));
    }

    /** The participant subscribes to or unsubscribes from tracks (its request or its state after a resume). */
    void onSubscription(ParticipantSession s, LivekitRtc.UpdateSubscription update) {
        boolean changed = false;
        for (String sid : update.getTrackSidsList()) {
            Published p = published.get(sid);
            if (update.getSubscribe()) {
                if (p == null) {
                    s.send(SignalResponse.newBuilder().setSubscriptionResponse(LivekitRtc.SubscriptionResponse.newBuilder()
                            .setTrackSid(sid).setErr(LivekitModels.SubscriptionError.SE_TRACK_NOTFOUND)).build());
                } else if (s.info().getPermission().getCanSubscribe() && !s.isSubscribedTo(sid)) {
                    attach(s, p);
                    changed = true;
                }
            } else {
                changed |= s.removeSubscription(sid);
            }
        }
        if (changed) {
            s.negotiateSubscriber();
        }
    }

    void onMute(ParticipantSession s, LivekitRtc.MuteTrackRequest mute) {
        setMuted(s, mute);
    }

    /**
     * RoomService.MutePublishedTrack: the track's publisher is told (a {@code mute} message, as the real
     * server sends on an admin mute: livekit/livekit pkg/rtc/participant.go {@code SetTrackMuted}) and
     * everyone sees the track's new state. The muted track, or null if the publisher has no such track.
     */
    TrackInfo mutePublishedTrack(ParticipantSession s, String trackSid, boolean muted) {
        LivekitRtc.MuteTrackRequest mute = LivekitRtc.MuteTrackRequest.newBuilder().setSid(trackSid).setMuted(muted).build();
        if (!setMuted(s, mute)) {
            return null;
        }
        s.send(SignalResponse.newBuilder().setMute(mute).build());
        return s.info().getTracksList().stream().filter(t -> t.getSid().equals(trackSid)).findFirst().orElse(null);
    }

    private boolean setMuted(ParticipantSession s, LivekitRtc.MuteTrackRequest mute) {
        ParticipantInfo.Builder info = s.info().toBuilder().clearTracks();
        boolean found = false;
        for (TrackInfo t : s.info().getTracksList()) {
            if (t.getSid().equals(mute.getSid())) {
                t = t.toBuilder().setMuted(mute.getMuted()).build();
                found = true;
            }
            info.addTracks(t);
        }
        if (found) {
            room.update(s, info, true);
        }
        return found;
    }
}
