package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.webrtc.AudioPump;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import livekit.LivekitModels;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishing our audio tracks: announce the track ({@code AddTrackRequest}), wait for the server's
 * {@code TrackPublishedResponse}, attach a native track fed by the audio pump to the publisher
 * connection, negotiate (LiveKit's clients do the same: client-sdk-js
 * src/room/participant/LocalParticipant.ts {@code publishTrack}); and the reverse. A full reconnect
 * publishes every track again on the new session, keeping each publication object.
 *
 * <p>Steps that touch state run on the session thread; {@link #publish} waits on its caller's thread
 * (an agent thread, or the recovery thread).
 */
final class TrackPublisher {

    private static final Logger log = LoggerFactory.getLogger(TrackPublisher.class);

    private final RtcEngine engine;
    private final OwnerThread owner;
    private final Supplier<LocalParticipantImpl> local;
    private final MediaEngine media;
    /** AddTrackRequests waiting for the server's answer, by cid. Session thread. */
    private final Map<String, CompletableFuture<TrackInfo>> pending = new HashMap<>();

    TrackPublisher(RtcEngine engine, OwnerThread owner, Supplier<LocalParticipantImpl> local, MediaEngine media) {
        this.engine = engine;
        this.owner = owner;
        this.local = local;
        this.media = media;
    }

    /**
     * Announces {@code pub}'s track to the server, attaches it to the publisher connection and
     * negotiates, by {@code deadline}. {@code recovering}: the recovery thread republishing; the
     * announcement goes out on the new session's connection past the requests held for after it.
     */
    void publish(LocalTrackPublicationImpl pub, long deadline, boolean recovering) {
        String cid = "TR_" + UUID.randomUUID();
        LocalAudioTrack track = pub.track();
        // Recovery republishes one step at a time, as before: its session is new and the requests held for
        // after it go out in order.
        boolean withOffer = !recovering && Awaits.call(owner, engine::tracksWithOffer);
        Announced announced = Awaits.call(owner, () -> {
            CompletableFuture<TrackInfo> f = new CompletableFuture<>();
            pending.put(cid, f);
            engine.send(SignalRequest.newBuilder().setAddTrack(addTrack(cid, track, pub.options())).build(), recovering);
            log.debug("track '{}' announced ({}){}", track.name(), cid, withOffer ? ", offered with it" : "");
            // The offer goes out right behind the request on the same connection, so the server reads the
            // request first; one round trip less than waiting for its answer (LiveKit's JS client does the same).
            try {
                return new Announced(f, withOffer ? attach(pub, cid) : null);
            } catch (RuntimeException e) {
                pending.remove(cid);
                throw e;
            }
        });
        TrackInfo info;
        try {
            info = Awaits.await(announced.confirmed(), deadline, "the server to accept track '" + track.name() + "'");
        } catch (RoomException e) {
            if (announced.negotiated() != null) {
                owner.executor().execute(() -> remove(pub, true, "publishing failed"));
            }
            throw e;
        } finally {
            owner.executor().execute(() -> pending.remove(cid));
        }
        CompletableFuture<Void> negotiated = Awaits.call(owner, () -> {
            CompletableFuture<Void> round = announced.negotiated() != null ? announced.negotiated() : attach(pub, cid);
            confirm(pub, info);
            return round;
        });
        try {
            Awaits.await(negotiated, deadline, "the media negotiation for track '" + track.name() + "'");
        } catch (RoomException e) {
            if (!recovering) {
                owner.executor().execute(() -> remove(pub, false, "publishing failed"));
            }
            throw e;
        }
        pub.published();
    }

    /** The AddTrackRequest's answer to come, and the negotiation round started with it (null: not yet). */
    private record Announced(CompletableFuture<TrackInfo> confirmed, CompletableFuture<Void> negotiated) {
    }

    private static LivekitRtc.AddTrackRequest addTrack(String cid, LocalAudioTrack track, TrackPublishOptions o) {
        LivekitRtc.AddTrackRequest.Builder add = LivekitRtc.AddTrackRequest.newBuilder()
                .setCid(cid).setName(track.name()).setType(LivekitModels.TrackType.AUDIO)
                .setSource(Kinds.source(o.source()))
                .setDisableDtx(!o.dtx()).setDisableRed(!o.red());
        if (!o.dtx()) {
            add.addAudioFeatures(LivekitModels.AudioTrackFeature.TF_NO_DTX);
        }
        if (track.source().channels() == 2) {
            add.setStereo(true).addAudioFeatures(LivekitModels.AudioTrackFeature.TF_STEREO);
        }
        return add.build();
    }

    /** Session thread: native track and sender for the announced track, then a negotiation round. */
    private CompletableFuture<Void> attach(LocalTrackPublicationImpl pub, String cid) {
        Peer publisher = engine.publisher();
        if (publisher == null) {
            throw new RoomException("room is reconnecting");
        }
        CustomAudioSource source = new CustomAudioSource();
        AudioTrack nativeTrack = media.factory().createAudioTrack(cid, source);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
        init.streamIds = List.of(cid);
        pub.attach(cid, source, nativeTrack, publisher.addTransceiver(nativeTrack, init).getSender(),
                media.pump().add(source, producer(pub.track())));
        return engine.negotiation().negotiate();
    }

    /** Session thread: the server accepted the track as {@code info}; the publication is listed under its sid. */
    private void confirm(LocalTrackPublicationImpl pub, TrackInfo info) {
        String oldSid = pub.sid();
        pub.confirm(info);
        if (!oldSid.isEmpty()) {
            local.get().removePublication(oldSid);
        }
        local.get().putPublication(pub);
    }

    /** Session thread: the server's answer to an AddTrackRequest. */
    void onTrackPublished(LivekitRtc.TrackPublishedResponse response) {
        CompletableFuture<TrackInfo> f = pending.remove(response.getCid());
        if (f != null) {
            log.debug("track {} accepted as {}", response.getCid(), response.getTrack().getSid());
            f.complete(response.getTrack());
        }
    }

    /** Session thread: stops sending the track, frees its native objects and (if asked) renegotiates. */
    CompletableFuture<Void> remove(LocalTrackPublicationImpl pub, boolean renegotiate, String why) {
        local.get().removePublication(pub.sid());
        Peer publisher = engine.publisher();
        pub.stopSending(publisher);
        pub.freeNative();
        pub.ended(why);
        return renegotiate && publisher != null && engine.negotiation() != null ? engine.negotiation().negotiate()
                : CompletableFuture.completedFuture(null);
    }

    /** Session thread: the server unpublished one of our tracks (e.g. an admin removed it). */
    void onServerUnpublished(String sid) {
        for (LocalTrackPublicationImpl pub : local.get().publicationsSnapshot()) {
            if (pub.sid().equals(sid)) {
                log.info("the server unpublished our track {}", sid);
                remove(pub, true, "track unpublished by the server");
            }
        }
    }

    /** Session thread: publications still waiting for the server fail (the session is replaced or over). */
    void failPending(RoomException why) {
        pending.values().forEach(f -> f.completeExceptionally(why));
        pending.clear();
    }

    private static AudioPump.Producer producer(LocalAudioTrack track) {
        var source = track.source();
        return new AudioPump.Producer() {
            @Override
            public int sampleRate() {
                return source.sampleRate();
            }

            @Override
            public int channels() {
                return source.channels();
            }

            @Override
            public int read(short[] into) {
                return source.read(into);
            }
        };
    }
}
