package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCRtpCodecCapability;
import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.media.MediaType;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.LocalVideoTrackPublication;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishing our video tracks, the same steps as {@link TrackPublisher} for audio: announce the track
 * ({@code AddTrackRequest}), wait for {@code TrackPublishedResponse}, add a send-only transceiver
 * carrying libwebrtc's custom video source, negotiate; and the reverse. One VP8 layer of the source's
 * size: the announcement is what LiveKit's clients send for a single-layer track
 * (livekit/client-sdk-js src/room/participant/LocalParticipant.ts {@code publishOrRepublishTrack}:
 * width, height, one {@code VideoLayer} of quality HIGH; livekit/livekit pkg/rtc/participant.go
 * {@code addPendingTrackLocked} takes the layers as announced).
 *
 * <p>Steps that touch state run on the session thread; {@link #publish} waits on its caller's thread.
 * The publications map is written there and read under its own lock.
 */
final class VideoPublisher {

    private static final Logger log = LoggerFactory.getLogger(VideoPublisher.class);
    /** What the transceiver may negotiate: VP8 and its repair formats (the dev server forwards VP8 only). */
    private static final Set<String> CODECS = Set.of("VP8", "rtx", "red", "ulpfec");

    private final RtcEngine engine;
    private final OwnerThread owner;
    private final MediaEngine media;
    private final Map<String, CompletableFuture<TrackInfo>> pending = new HashMap<>();
    private final Map<String, LocalVideoPublicationImpl> publications = new LinkedHashMap<>();

    VideoPublisher(RtcEngine engine, OwnerThread owner, MediaEngine media) {
        this.engine = engine;
        this.owner = owner;
        this.media = media;
    }

    Map<String, LocalVideoTrackPublication> snapshot() {
        synchronized (publications) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(publications));
        }
    }

    LocalVideoPublicationImpl[] publications() {
        synchronized (publications) {
            return publications.values().toArray(new LocalVideoPublicationImpl[0]);
        }
    }

    LocalVideoPublicationImpl publicationOf(LocalVideoTrack track) {
        synchronized (publications) {
            return publications.values().stream().filter(p -> p.track() == track).findFirst().orElse(null);
        }
    }

    /** Announces, attaches and negotiates {@code pub} by {@code deadline}; see {@link TrackPublisher#publish}. */
    void publish(LocalVideoPublicationImpl pub, long deadline, boolean recovering) {
        String cid = "TR_" + UUID.randomUUID();
        LocalVideoTrack track = pub.track();
        CompletableFuture<TrackInfo> confirmed = Awaits.call(owner, () -> {
            CompletableFuture<TrackInfo> f = new CompletableFuture<>();
            pending.put(cid, f);
            engine.send(SignalRequest.newBuilder().setAddTrack(addTrack(cid, track, pub.options())).build(), recovering);
            return f;
        });
        TrackInfo info;
        try {
            info = Awaits.await(confirmed, deadline, "the server to accept video track '" + track.name() + "'");
        } finally {
            owner.executor().execute(() -> pending.remove(cid));
        }
        CompletableFuture<Void> negotiated = Awaits.call(owner, () -> attach(pub, cid, info));
        try {
            Awaits.await(negotiated, deadline, "the media negotiation for video track '" + track.name() + "'");
        } catch (RoomException e) {
            if (!recovering) {
                owner.executor().execute(() -> remove(pub, false, "publishing failed"));
            }
            throw e;
        }
        Awaits.call(owner, () -> {
            pub.published();
            return null;
        });
    }

    static LivekitRtc.AddTrackRequest addTrack(String cid, LocalVideoTrack track, TrackPublishOptions o) {
        int w = track.source().width();
        int h = track.source().height();
        LivekitModels.VideoLayer.Builder layer = LivekitModels.VideoLayer.newBuilder()
                .setQuality(LivekitModels.VideoQuality.HIGH).setWidth(w).setHeight(h);
        if (o.maxVideoBitrate() > 0) {
            layer.setBitrate(o.maxVideoBitrate());
        }
        return LivekitRtc.AddTrackRequest.newBuilder()
                .setCid(cid).setName(track.name()).setType(LivekitModels.TrackType.VIDEO)
                .setSource(Kinds.source(o.source()))
                .setWidth(w).setHeight(h)
                .addLayers(layer)
                .build();
    }

    /** Session thread: native source, track and send-only transceiver, then a negotiation round. */
    private CompletableFuture<Void> attach(LocalVideoPublicationImpl pub, String cid, TrackInfo info) {
        Peer publisher = engine.publisher();
        if (publisher == null) {
            throw new RoomException("room is reconnecting");
        }
        CustomVideoSource source = new CustomVideoSource();
        VideoTrack nativeTrack = media.factory().createVideoTrack(cid, source);
        RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
        init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
        init.streamIds = List.of(cid);
        TrackPublishOptions o = pub.options();
        if (o.maxVideoBitrate() > 0 || o.maxVideoFramerate() > 0) {
            RTCRtpEncodingParameters encoding = new RTCRtpEncodingParameters();
            encoding.active = true;
            encoding.maxBitrate = o.maxVideoBitrate() > 0 ? o.maxVideoBitrate() : null;
            encoding.maxFramerate = o.maxVideoFramerate() > 0 ? o.maxVideoFramerate() : null;
            init.sendEncodings = List.of(encoding);
        }
        RTCRtpTransceiver transceiver = publisher.addTransceiver(nativeTrack, init);
        preferVp8(transceiver, pub.track().name());
        String oldSid = pub.info() == null ? null : pub.sid();
        pub.attach(cid, info, source, nativeTrack, transceiver.getSender());
        synchronized (publications) {
            if (oldSid != null) {
                publications.remove(oldSid);
            }
            publications.put(pub.sid(), pub);
        }
        return engine.negotiation().negotiate();
    }

    private void preferVp8(RTCRtpTransceiver transceiver, String name) {
        try {
            List<RTCRtpCodecCapability> codecs = media.factory().getRtpSenderCapabilities(MediaType.VIDEO).getCodecs()
                    .stream().filter(c -> CODECS.contains(c.getName())).toList();
            transceiver.setCodecPreferences(codecs);
        } catch (RuntimeException e) {
            log.warn("video track '{}': could not restrict the codecs to VP8 ({}); libwebrtc's order applies", name,
                    e.toString());
        }
    }

    /** Session thread: the server's answer to an AddTrackRequest (ignored when not ours). */
    void onTrackPublished(LivekitRtc.TrackPublishedResponse response) {
        CompletableFuture<TrackInfo> f = pending.remove(response.getCid());
        if (f != null) {
            f.complete(response.getTrack());
        }
    }

    /**
     * Session thread: the server refused one of our AddTrackRequests (a {@code RequestResponse} naming
     * it): the publish fails with the server's reason instead of timing out.
     */
    void onRefused(LivekitRtc.RequestResponse response) {
        if (!response.hasAddTrack()) {
            return;
        }
        CompletableFuture<TrackInfo> f = pending.remove(response.getAddTrack().getCid());
        if (f != null) {
            f.completeExceptionally(new RoomException("the server refused video track '"
                    + response.getAddTrack().getName() + "': " + response.getReason() + " " + response.getMessage()));
        }
    }

    /** Session thread: stops sending the track, frees its native objects and (if asked) renegotiates. */
    CompletableFuture<Void> remove(LocalVideoPublicationImpl pub, boolean renegotiate, String why) {
        synchronized (publications) {
            publications.remove(pub.sid());
        }
        Peer publisher = engine.publisher();
        pub.stopSending(publisher);
        pub.freeNative();
        log.debug("video track {} removed: {}", pub.sid(), why);
        return renegotiate && publisher != null && engine.negotiation() != null ? engine.negotiation().negotiate()
                : CompletableFuture.completedFuture(null);
    }

    /** Session thread: the server unpublished one of our tracks. */
    void onServerUnpublished(String sid) {
        for (LocalVideoPublicationImpl pub : publications()) {
            if (pub.sid().equals(sid)) {
                log.info("the server unpublished our video track {}", sid);
                remove(pub, true, "track unpublished by the server");
            }
        }
    }

    /** Session thread: the room ended; publications are forgotten (their native parts are already freed). */
    void forgetAll() {
        synchronized (publications) {
            publications.clear();
        }
    }

    /** Session thread: publications still waiting for the server fail. */
    void failPending(RoomException why) {
        pending.values().forEach(f -> f.completeExceptionally(why));
        pending.clear();
    }
}
