package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.webrtc.DataChannelLink;
import io.lkworker.webrtc.IceCandidates;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import io.lkworker.webrtc.Sdp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import livekit.LivekitRtc;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two peer connections of one session, as LiveKit's dual-connection protocol has them: the
 * subscriber answered when the server offers it (LiveKit makes it primary), the publisher offered at
 * once with the {@code _reliable} and {@code _lossy} data channels so publishing and data need no
 * further set-up; trickle ICE both ways; the data channels. A resume keeps them (ICE restarts); a
 * full reconnect closes them and the new session makes new ones. Session thread only.
 */
final class Transports {

    private static final Logger log = LoggerFactory.getLogger(Transports.class);
    static final String RELIABLE = "_reliable";
    static final String LOSSY = "_lossy";

    /** What the transports report to the engine; on the session thread. */
    interface Events {
        /** A connection failed after the session was up, or a publisher negotiation got stuck ({@code full}). */
        void onTrouble(String what, boolean full, SignalTarget target);

        void onRemoteTrack(MediaStreamTrack track, String mid);

        void onRemoteTrackRemoved(String trackId);

        void onSubscriberTracks(Map<String, String> midToTrackId);

        void onData(byte[] packet);
    }

    private final OwnerThread owner;
    private final Events events;
    private final Consumer<SignalRequest> signal;
    /** True until the session is first up: failures then fail the connect instead of starting recovery. */
    private final BooleanSupplier connecting;
    private final boolean subscriberPrimary;
    private final boolean tracksWithOffer;
    private final Peer publisher;
    private final Peer subscriber;
    private final PublisherNegotiation negotiation;
    private final Map<String, DataChannelLink> publisherChannels = new HashMap<>();
    private final List<DataChannelLink> subscriberChannels = new ArrayList<>();
    private CompletableFuture<Void> subscriberUp = new CompletableFuture<>();
    private CompletableFuture<Void> publisherUp = new CompletableFuture<>();
    private final CompletableFuture<Void> reliableOpen = new CompletableFuture<>();
    private final CompletableFuture<Void> lossyOpen = new CompletableFuture<>();
    private boolean closed;

    /** Creates both connections for {@code join} and offers the publisher at once. */
    Transports(MediaEngine media, OwnerThread owner, JoinResponse join, Consumer<SignalRequest> signal,
               BooleanSupplier connecting, Events events) {
        this.owner = owner;
        this.events = events;
        this.signal = signal;
        this.connecting = connecting;
        this.subscriberPrimary = join.getSubscriberPrimary();
        this.tracksWithOffer = tracksWithOffer(join);
        List<RTCIceServer> ice = iceServers(join.getIceServersList());
        this.subscriber = new Peer(media, "subscriber", ice, owner.executor(), new Listener(SignalTarget.SUBSCRIBER));
        this.publisher = new Peer(media, "publisher", ice, owner.executor(), new Listener(SignalTarget.PUBLISHER));
        this.negotiation = new PublisherNegotiation(publisher, owner,
                offer -> {
                    signal.accept(SignalRequest.newBuilder().setOffer(offer).build());
                    log.debug("publisher offer {} sent", offer.getId());
                },
                stuck -> events.onTrouble(stuck.getMessage(), true, SignalTarget.PUBLISHER));
        RTCDataChannelInit lossy = new RTCDataChannelInit();
        lossy.ordered = false;
        lossy.maxRetransmits = 0;
        publisherChannels.put(RELIABLE, publisherChannel(RELIABLE, new RTCDataChannelInit(), reliableOpen));
        publisherChannels.put(LOSSY, publisherChannel(LOSSY, lossy, lossyOpen));
        CompletableFuture<Void> up = publisherUp;
        negotiation.negotiate().whenComplete((ok, e) -> {
            if (e != null) {
                up.completeExceptionally(new RoomException("publisher negotiation failed: " + e.getMessage(), e));
            }
        });
        if (!subscriberPrimary) {
            subscriberUp.complete(null);
        }
    }

    private DataChannelLink publisherChannel(String label, RTCDataChannelInit init, CompletableFuture<Void> open) {
        return new DataChannelLink(publisher.createDataChannel(label, init), owner.executor(), events::onData, s -> {
            if (s == RTCDataChannelState.OPEN) {
                open.complete(null);
            }
        });
    }

    static List<RTCIceServer> iceServers(List<LivekitRtc.ICEServer> servers) {
        List<RTCIceServer> out = new ArrayList<>();
        for (LivekitRtc.ICEServer s : servers) {
            RTCIceServer server = new RTCIceServer();
            server.urls = new ArrayList<>(s.getUrlsList());
            server.username = s.getUsername();
            server.password = s.getCredential();
            out.add(server);
        }
        return out;
    }

    Peer publisher() {
        return publisher;
    }

    PublisherNegotiation negotiation() {
        return negotiation;
    }

    /**
     * Whether a new track's offer may go out right behind its AddTrackRequest instead of after the
     * server's answer to it: the server lists the codecs it takes (JoinResponse
     * {@code enabled_publish_codecs}). LiveKit's JS client takes that list as the sign (client-sdk-js,
     * src/room/participant/LocalParticipant.ts, {@code publish}, which looks for video codecs in it; the
     * development server lists only what it forwards), and LiveKit's server keeps media that arrives
     * before its request (livekit/livekit, pkg/rtc/participant.go, {@code pendingRemoteTracks}).
     */
    boolean tracksWithOffer() {
        return tracksWithOffer;
    }

    /** See {@link #tracksWithOffer()}. */
    static boolean tracksWithOffer(JoinResponse join) {
        return join.getEnabledPublishCodecsCount() > 0;
    }

    CompletableFuture<Void> subscriberUp() {
        return subscriberUp;
    }

    CompletableFuture<Void> publisherUp() {
        return publisherUp;
    }

    CompletableFuture<Void> dataChannelOpen(boolean reliable) {
        return reliable ? reliableOpen : lossyOpen;
    }

    // ---- signalling for the transports ------------------------------------------------------------

    void onOffer(SessionDescription offer) {
        log.debug("subscriber offer {} received", offer.getId());
        try {
            events.onSubscriberTracks(offer.getMidToTrackIdMap());
            subscriber.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer.getSdp()));
            RTCSessionDescription answer = subscriber.createAnswer();
            // 10 ms packets asked of the sender: a forwarding SFU ignores it, a server that re-encodes
            // (lk-worker dev) then adds 10 ms less delay per hop.
            signal.accept(SignalRequest.newBuilder().setAnswer(SessionDescription.newBuilder().setType("answer")
                    .setSdp(Sdp.withAudioPtime(answer.sdp, 10)).setId(offer.getId())).build());
            log.debug("subscriber offer {} answered", offer.getId());
        } catch (RuntimeException e) {
            log.error("cannot answer the server's subscriber offer", e);
            subscriberUp.completeExceptionally(new RoomException("subscriber negotiation failed: " + e.getMessage(), e));
            events.onTrouble("the subscriber negotiation failed", true, SignalTarget.SUBSCRIBER);
        }
    }

    void onAnswer(SessionDescription answer) {
        log.debug("publisher answer {} received", answer.getId());
        negotiation.onAnswer(answer);
    }

    void onTrickle(LivekitRtc.TrickleRequest trickle) {
        RTCIceCandidate candidate;
        try {
            candidate = IceCandidates.fromJson(trickle.getCandidateInit());
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a trickled ICE candidate: {}", e.getMessage());
            return;
        }
        if (candidate.sdp == null || candidate.sdp.isBlank()) {
            return; // end of candidates
        }
        (trickle.getTarget() == SignalTarget.PUBLISHER ? publisher : subscriber).addIceCandidate(candidate);
    }

    // ---- data -------------------------------------------------------------------------------------

    boolean send(byte[] packet, boolean reliable) {
        DataChannelLink link = publisherChannels.get(reliable ? RELIABLE : LOSSY);
        return link != null && link.send(packet);
    }

    long buffered(boolean reliable) {
        DataChannelLink link = publisherChannels.get(reliable ? RELIABLE : LOSSY);
        return link == null ? 0 : link.bufferedAmount();
    }

    // ---- resume -----------------------------------------------------------------------------------

    /** A resumed session's ICE servers (fresh TURN credentials) for both connections. */
    void setIceServers(List<LivekitRtc.ICEServer> servers) {
        if (!servers.isEmpty()) {
            List<RTCIceServer> ice = iceServers(servers);
            publisher.setIceServers(ice);
            subscriber.setIceServers(ice);
        }
    }

    /** What {@code SyncState} says of the transports: the subscriber's last offer and answer, our channels. */
    void describe(LivekitRtc.SyncState.Builder sync) {
        RTCSessionDescription localAnswer = subscriber.raw().getLocalDescription();
        RTCSessionDescription remoteOffer = subscriber.raw().getRemoteDescription();
        if (localAnswer != null) {
            sync.setAnswer(SessionDescription.newBuilder().setType("answer").setSdp(localAnswer.sdp));
        }
        if (remoteOffer != null) {
            sync.setOffer(SessionDescription.newBuilder().setType("offer").setSdp(remoteOffer.sdp));
        }
        publisherChannels.values().forEach(c -> sync.addDataChannels(LivekitRtc.DataChannelInfo.newBuilder()
                .setLabel(c.label()).setTarget(SignalTarget.PUBLISHER)));
    }

    /** Completes when both connections this session uses are connected (now or later). */
    CompletableFuture<Void> connected() {
        CompletableFuture<Void> sub = subscriberPrimary && subscriber.connectionState() != RTCPeerConnectionState.CONNECTED
                ? (subscriberUp = new CompletableFuture<>()) : CompletableFuture.completedFuture(null);
        CompletableFuture<Void> pub = publisher.connectionState() != RTCPeerConnectionState.CONNECTED
                ? (publisherUp = new CompletableFuture<>()) : CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(sub, pub);
    }

    // ---- the end ----------------------------------------------------------------------------------

    /**
     * Closes both connections. Order (webrtc-java, teardown without errors): stop feeding and
     * listening, close data channels, detach senders ({@code detachLocal}), close the connections,
     * then free channels ({@code freeLocal} frees tracks and sources after this returns).
     */
    void close(RoomException why, Consumer<Peer> detachLocal) {
        if (closed) {
            return;
        }
        closed = true;
        for (CompletableFuture<?> f : List.of(subscriberUp, publisherUp, reliableOpen, lossyOpen)) {
            f.completeExceptionally(why);
        }
        negotiation.fail(why);
        publisherChannels.values().forEach(DataChannelLink::close);
        subscriberChannels.forEach(DataChannelLink::close);
        detachLocal.accept(publisher);
        RtcEngine.quietly(publisher::close);
        RtcEngine.quietly(subscriber::close);
        publisherChannels.values().forEach(c -> RtcEngine.quietly(c::dispose));
        subscriberChannels.forEach(c -> RtcEngine.quietly(c::dispose));
        publisherChannels.clear();
        subscriberChannels.clear();
    }

    /** Callbacks of one peer connection, on the session thread. */
    private final class Listener implements Peer.Listener {
        private final SignalTarget target;

        Listener(SignalTarget target) {
            this.target = target;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            signal.accept(SignalRequest.newBuilder().setTrickle(LivekitRtc.TrickleRequest.newBuilder()
                    .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(target)).build());
        }

        @Override
        public void onConnectionState(RTCPeerConnectionState s) {
            if (closed) {
                return;
            }
            CompletableFuture<Void> up = target == SignalTarget.PUBLISHER ? publisherUp : subscriberUp;
            log.debug("{} connection {}", target.name().toLowerCase(), s);
            switch (s) {
                case CONNECTED -> up.complete(null);
                case FAILED -> {
                    if (connecting.getAsBoolean()) {
                        up.completeExceptionally(new RoomException("the " + target.name().toLowerCase()
                                + " media connection failed (ICE/DTLS)"));
                    } else {
                        // Only "failed" counts: "disconnected" comes and goes (client-sdk-js PCTransportManager.updateState).
                        events.onTrouble("the " + target.name().toLowerCase() + " media connection failed", false, target);
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            if (target == SignalTarget.SUBSCRIBER && !closed) {
                log.debug("subscriber track {} (mid {})", transceiver.getReceiver().getTrack().getId(), transceiver.getMid());
                events.onRemoteTrack(transceiver.getReceiver().getTrack(), transceiver.getMid());
            }
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            if (target == SignalTarget.SUBSCRIBER && !closed) {
                events.onRemoteTrackRemoved(receiver.getTrack().getId());
            }
        }

        @Override
        public void onDataChannel(RTCDataChannel channel) {
            // LiveKit creates _reliable and _lossy on the subscriber connection when it is primary.
            subscriberChannels.add(new DataChannelLink(channel, owner.executor(), events::onData, st -> { }));
        }
    }
}
