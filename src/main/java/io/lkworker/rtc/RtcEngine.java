package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
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
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitRtc;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection under a room: the signalling ({@link SignalClient}), the two peer connections as
 * LiveKit's dual-connection protocol has them — the subscriber answered when the server offers it
 * (LiveKit makes it primary), the publisher offered at once with the {@code _reliable} and
 * {@code _lossy} data channels so publishing and data need no further set-up — trickle ICE, reliable
 * data numbering, the connection state, and (through {@link Recovery}) resume and full reconnect.
 * The room model on top ({@link RtcSession}) sees joins, room messages, tracks and data, and the
 * recovery's milestones ({@link Model}).
 *
 * <p>Threads: the session thread owns all of this; libwebrtc callbacks and signalling messages are
 * handed to it. Only {@link #connect} (an agent thread) and {@link Recovery} (its own thread) wait for
 * the network, each through futures completed on the session thread.
 */
final class RtcEngine implements SignalClient.Listener {

    private static final Logger log = LoggerFactory.getLogger(RtcEngine.class);
    static final String RELIABLE = "_reliable";
    static final String LOSSY = "_lossy";

    /** What the room model does at the engine's milestones; all on the session thread unless noted. */
    interface Model {
        /** A join response: the first one, or a new session's after a full reconnect ({@code rejoined}). */
        void onJoined(JoinResponse join, boolean rejoined);

        /** Any room message the engine does not handle itself (participant updates, tracks, requests). */
        void onRoomSignal(SignalResponse message);

        /** The server offers the subscriber connection; its m-lines carry these tracks. */
        void onSubscriberTracks(Map<String, String> midToTrackId);

        void onRemoteTrack(dev.onvoid.webrtc.media.MediaStreamTrack track, String mid);

        void onRemoteTrackRemoved(String trackId);

        void onDataPacket(DataPacket packet);

        /** What the server needs to resume this session: subscriptions and published tracks. */
        LivekitRtc.SyncState.Builder syncState();

        /** Recovery began (state is now RECONNECTING). */
        void onRecovering();

        /** A full reconnect is about to replace the session: remote state goes, local media stops. */
        void onRestarting();

        /** Stops local media and detaches it from {@code publisher}, which is about to close. */
        void detachLocalMedia(Peer publisher);

        /** The transports are closed: free the native parts of local media. */
        void freeLocalMedia();

        /** After a full reconnect's join: publish the local tracks again. Recovery thread; blocks. */
        void republish();

        /** Recovery succeeded (state is CONNECTED again). */
        void onRecovered(boolean full);

        /** The room is over; {@code wasUp} if it had been connected. */
        void onEnded(String reason, boolean wasUp);
    }

    private final ConnectOptions options;
    private final MediaEngine media;
    final OwnerThread owner;
    private final Model model;
    final SignalClient signal;
    private final Recovery recovery;
    private final ReliableData reliable = new ReliableData();
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private Peer publisher;
    private Peer subscriber;
    private PublisherNegotiation negotiation;
    private final Map<String, DataChannelLink> publisherChannels = new HashMap<>();
    private final List<DataChannelLink> subscriberChannels = new ArrayList<>();
    private boolean subscriberPrimary;
    private CompletableFuture<JoinResponse> joined = new CompletableFuture<>();
    private CompletableFuture<Void> subscriberUp = new CompletableFuture<>();
    private CompletableFuture<Void> publisherUp = new CompletableFuture<>();
    private CompletableFuture<Void> reliableOpen = new CompletableFuture<>();
    private CompletableFuture<Void> lossyOpen = new CompletableFuture<>();
    /** Completes whenever the room is (again) connected; replaced when recovery starts. */
    private volatile CompletableFuture<Void> connectedNow = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private String participantSid = "";

    RtcEngine(String url, String token, ConnectOptions options, OwnerThread owner, Model model) {
        this.options = options;
        this.media = MediaEngine.shared();
        this.owner = owner;
        this.model = model;
        this.signal = new SignalClient(url, token, options.autoSubscribe(), owner, this);
        this.recovery = new Recovery(this, new ReconnectPolicy(options.reconnectTimeout()), owner.name());
    }

    ConnectionState state() {
        return state;
    }

    CompletableFuture<String> disconnectedFuture() {
        return disconnected;
    }

    /** Completes when the room is connected (now, or once recovery is done); fails when it ends. */
    CompletableFuture<Void> whenConnected() {
        return connectedNow;
    }

    // ---- joining --------------------------------------------------------------------------------------

    /** Joins; returns the join response once signalling and media are up. Agent thread. */
    JoinResponse connect(long deadlineNanos) {
        signal.open(null, 0, Awaits.remaining(deadlineNanos));
        JoinResponse join = awaitMedia(deadlineNanos);
        Awaits.call(owner, () -> {
            if (state == ConnectionState.CONNECTING) {
                state = ConnectionState.CONNECTED;
                connectedNow.complete(null);
            }
            return null;
        });
        if (state != ConnectionState.CONNECTED) {
            throw new RoomException("room disconnected while connecting: " + disconnected.getNow("unknown"));
        }
        return join;
    }

    /** Waits for the join response and the transports it asks for. Any thread but the session thread. */
    JoinResponse awaitMedia(long deadlineNanos) {
        CompletableFuture<JoinResponse> join = Awaits.call(owner, () -> joined);
        JoinResponse response = Awaits.await(join, deadlineNanos, "the server's answer to the join");
        CompletableFuture<Void> sub = Awaits.call(owner, () -> subscriberUp);
        CompletableFuture<Void> pub = Awaits.call(owner, () -> publisherUp);
        Awaits.await(sub, deadlineNanos, "the subscriber media connection (ICE/DTLS)");
        Awaits.await(pub, deadlineNanos, "the publisher media connection (ICE/DTLS)");
        return response;
    }

    @Override
    public void onSignal(SignalResponse m) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        if (!joined.isDone()) {
            if (m.hasJoin()) {
                onJoin(m.getJoin());
            } else if (m.hasLeave()) {
                joined.completeExceptionally(new RoomException("the server refused the join ("
                        + m.getLeave().getReason().name() + ")"));
            } else if (m.hasReconnect() || recovery.awaitingFirstMessage()) {
                recovery.onFirstMessage(m);
            }
            return; // like the Rust client: nothing else counts before the join response
        }
        if (recovery.awaitingFirstMessage() && (m.hasReconnect() || m.hasLeave())) {
            recovery.onFirstMessage(m);
            return;
        }
        switch (m.getMessageCase()) {
            case OFFER -> onSubscriberOffer(m.getOffer());
            case ANSWER -> {
                if (negotiation != null) {
                    negotiation.onAnswer(m.getAnswer());
                }
            }
            case TRICKLE -> onTrickle(m.getTrickle());
            case LEAVE -> onLeave(m.getLeave());
            case RECONNECT -> log.debug("ignoring a reconnect response outside a resume");
            default -> model.onRoomSignal(m);
        }
    }

    private void onJoin(JoinResponse join) {
        boolean rejoined = !participantSid.isEmpty();
        participantSid = join.getParticipant().getSid();
        model.onJoined(join, rejoined);
        subscriberPrimary = join.getSubscriberPrimary();
        List<RTCIceServer> ice = iceServers(join.getIceServersList());
        subscriber = new Peer(media, "subscriber", ice, owner.executor(), new TransportListener(SignalTarget.SUBSCRIBER));
        publisher = new Peer(media, "publisher", ice, owner.executor(), new TransportListener(SignalTarget.PUBLISHER));
        negotiation = new PublisherNegotiation(publisher, owner, offer -> signal.send(SignalRequest.newBuilder()
                .setOffer(offer).build()), stuck -> onTransportTrouble(stuck.getMessage(), true,
                LivekitModels.ReconnectReason.RR_PUBLISHER_FAILED));
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
        long timeout = join.getPingTimeout() > 0 ? join.getPingTimeout() : 15;
        signal.startPings(join.getPingInterval(), timeout);
        joined.complete(join);
    }

    private DataChannelLink publisherChannel(String label, RTCDataChannelInit init, CompletableFuture<Void> open) {
        return new DataChannelLink(publisher.createDataChannel(label, init), owner.executor(), this::onData, s -> {
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

    private void onSubscriberOffer(SessionDescription offer) {
        try {
            model.onSubscriberTracks(offer.getMidToTrackIdMap());
            subscriber.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer.getSdp()));
            RTCSessionDescription answer = subscriber.createAnswer();
            // 10 ms packets asked of the sender: a forwarding SFU ignores it, a server that re-encodes
            // (lk-worker dev) then adds 10 ms less delay per hop.
            signal.send(SignalRequest.newBuilder().setAnswer(SessionDescription.newBuilder().setType("answer")
                    .setSdp(Sdp.withAudioPtime(answer.sdp, 10)).setId(offer.getId())).build());
        } catch (RuntimeException e) {
            log.error("cannot answer the server's subscriber offer", e);
            subscriberUp.completeExceptionally(new RoomException("subscriber negotiation failed: " + e.getMessage(), e));
            onTransportTrouble("the subscriber negotiation failed", true, LivekitModels.ReconnectReason.RR_SUBSCRIBER_FAILED);
        }
    }

    private void onTrickle(LivekitRtc.TrickleRequest trickle) {
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
        Peer target = trickle.getTarget() == SignalTarget.PUBLISHER ? publisher : subscriber;
        if (target != null) {
            target.addIceCandidate(candidate);
        }
    }

    private void onLeave(LivekitRtc.LeaveRequest leave) {
        String reason = leave.getReason() == LivekitModels.DisconnectReason.UNKNOWN_REASON
                ? "SERVER_REQUESTED" : leave.getReason().name();
        switch (leave.getAction()) {
            case RESUME -> {
                log.info("the server asked this client to resume ({})", reason);
                signal.dropCurrent();
                recovery.trigger(false, LivekitModels.ReconnectReason.RR_UNKNOWN, true, "SIGNAL_CLOSE");
            }
            case RECONNECT -> {
                log.info("the server asked this client to reconnect ({})", reason);
                signal.dropCurrent();
                recovery.trigger(true, LivekitModels.ReconnectReason.RR_UNKNOWN, true, "SIGNAL_CLOSE");
            }
            default -> shutdown(reason, false);
        }
    }

    @Override
    public void onSignalLost(String why) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        if (state == ConnectionState.CONNECTING) {
            log.warn("{} while joining", why);
            shutdown("SIGNAL_CLOSE", false);
            return;
        }
        log.warn("{}", why);
        recovery.trigger(false, LivekitModels.ReconnectReason.RR_SIGNAL_DISCONNECTED, false, "SIGNAL_CLOSE");
    }

    /** A transport failed (or a negotiation got stuck): resume, or a full reconnect for a negotiation. */
    private void onTransportTrouble(String what, boolean full, LivekitModels.ReconnectReason reason) {
        if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTING) {
            log.warn("{}", what);
            recovery.trigger(full, reason, false, "MEDIA_FAILURE");
        }
    }

    // ---- data -----------------------------------------------------------------------------------------

    /** Session thread: sends one packet on the channel of its kind; reliable ones are numbered and kept for a resume. */
    boolean sendData(DataPacket.Builder packet, boolean isReliable) {
        DataChannelLink link = publisherChannels.get(isReliable ? RELIABLE : LOSSY);
        if (link == null) {
            return false;
        }
        if (!isReliable) {
            return link.send(packet.build().toByteArray());
        }
        int seq = reliable.nextSequence();
        byte[] bytes = packet.setSequence(seq).build().toByteArray();
        reliable.sent(seq, bytes);
        // While the room recovers the packet waits in the replay buffer and goes out after the resume.
        return state == ConnectionState.RECONNECTING || link.send(bytes);
    }

    long bufferedData(boolean isReliable) {
        DataChannelLink link = publisherChannels.get(isReliable ? RELIABLE : LOSSY);
        return link == null ? 0 : link.bufferedAmount();
    }

    CompletableFuture<Void> dataChannelOpen(boolean isReliable) {
        return isReliable ? reliableOpen : lossyOpen;
    }

    private void onData(byte[] bytes) {
        DataPacket packet;
        try {
            packet = DataPacket.parseFrom(bytes);
        } catch (Exception e) {
            log.debug("ignoring an undecodable data packet ({} bytes)", bytes.length);
            return;
        }
        model.onDataPacket(packet);
    }

    // ---- what the session's operations use ------------------------------------------------------------

    Peer publisher() {
        return publisher;
    }

    PublisherNegotiation negotiation() {
        return negotiation;
    }

    /** Sends {@code request}, or holds it while the room recovers unless {@code direct}. */
    void send(SignalRequest request, boolean direct) {
        if (direct) {
            signal.sendNow(request);
        } else {
            signal.send(request);
        }
    }

    // ---- recovery steps (session thread, called by Recovery) ------------------------------------------

    String participantSid() {
        return participantSid;
    }

    /** Recovery begins: requests wait, the model hears of it. */
    void enterRecovery() {
        state = ConnectionState.RECONNECTING;
        connectedNow = new CompletableFuture<>();
        signal.hold();
        model.onRecovering();
    }

    /** The server took the resume: new ICE servers, our state, and a publisher ICE restart. */
    CompletableFuture<Void> applyResume(LivekitRtc.ReconnectResponse response) {
        if (response.getIceServersCount() > 0) {
            List<RTCIceServer> ice = iceServers(response.getIceServersList());
            publisher.setIceServers(ice);
            subscriber.setIceServers(ice);
        }
        signal.send(SignalRequest.newBuilder().setSyncState(syncState()).build());
        return negotiation.restartIce();
    }

    private LivekitRtc.SyncState syncState() {
        LivekitRtc.SyncState.Builder sync = model.syncState();
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
        return sync.build();
    }

    /** Completes when both transports this session uses are connected (now or later). */
    CompletableFuture<Void> transportsConnected() {
        CompletableFuture<Void> sub = subscriberPrimary && subscriber.connectionState() != RTCPeerConnectionState.CONNECTED
                ? (subscriberUp = new CompletableFuture<>()) : CompletableFuture.completedFuture(null);
        CompletableFuture<Void> pub = publisher.connectionState() != RTCPeerConnectionState.CONNECTED
                ? (publisherUp = new CompletableFuture<>()) : CompletableFuture.completedFuture(null);
        return CompletableFuture.allOf(sub, pub);
    }

    /** Resume done: held requests go out, reliable data the server missed is sent again. */
    void finishResume(int lastMessageSeq) {
        signal.release();
        int oldest = reliable.oldestKept();
        List<byte[]> replay = reliable.after(lastMessageSeq);
        if (oldest > lastMessageSeq + 1 && !replay.isEmpty()) {
            log.warn("reliable data {}..{} sent before the resume is no longer kept and was lost", lastMessageSeq + 1, oldest - 1);
        }
        DataChannelLink link = publisherChannels.get(RELIABLE);
        replay.forEach(link::send);
        if (!replay.isEmpty()) {
            log.info("sent {} reliable data packets again after the resume", replay.size());
        }
        backUp(false);
    }

    /** A full reconnect: tear the session's transports down and get ready for a new join. */
    void prepareRejoin() {
        model.onRestarting();
        if (signal.isOpen()) {
            signal.close(SignalRequest.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                    .setReason(LivekitModels.DisconnectReason.CLIENT_INITIATED)
                    .setAction(LivekitRtc.LeaveRequest.Action.DISCONNECT)).build());
        } else {
            signal.dropCurrent();
        }
        signal.discardHeld();
        RoomException replaced = new RoomException("the session is being replaced by a full reconnect");
        closeTransports(replaced);
        reliable.reset();
        joined = new CompletableFuture<>();
        subscriberUp = new CompletableFuture<>();
        publisherUp = new CompletableFuture<>();
        reliableOpen = new CompletableFuture<>();
        lossyOpen = new CompletableFuture<>();
    }

    /** Recovery thread: the model publishes its tracks again on the new session. */
    void republish() {
        model.republish();
    }

    /** Full reconnect done (joined again, tracks republished). */
    void finishRejoin() {
        signal.release();
        backUp(true);
    }

    private void backUp(boolean full) {
        state = ConnectionState.CONNECTED;
        connectedNow.complete(null);
        model.onRecovered(full);
    }

    // ---- the end --------------------------------------------------------------------------------------

    /** Leaves the room: session thread, or wait from another (not the event thread) via {@link RtcSession}. */
    void shutdown(String reason, boolean sendLeave) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        boolean wasUp = state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTING;
        state = ConnectionState.DISCONNECTED;
        recovery.stop();
        signal.close(sendLeave ? SignalRequest.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                .setReason(LivekitModels.DisconnectReason.CLIENT_INITIATED)
                .setAction(LivekitRtc.LeaveRequest.Action.DISCONNECT)).build() : null);
        RoomException gone = new RoomException("room disconnected (" + reason + ")");
        joined.completeExceptionally(gone);
        connectedNow.completeExceptionally(gone);
        closeTransports(gone);
        model.onEnded(reason, wasUp);
        disconnected.complete(reason);
    }

    /**
     * Order (webrtc-java, teardown without errors): stop feeding and listening, close data channels,
     * detach senders, close the connections, then free channels, tracks and sources.
     */
    private void closeTransports(RoomException why) {
        for (CompletableFuture<?> f : List.of(subscriberUp, publisherUp, reliableOpen, lossyOpen)) {
            f.completeExceptionally(why);
        }
        if (negotiation != null) {
            negotiation.fail(why);
        }
        publisherChannels.values().forEach(DataChannelLink::close);
        subscriberChannels.forEach(DataChannelLink::close);
        if (publisher != null) {
            model.detachLocalMedia(publisher);
            quietly(publisher::close);
        }
        if (subscriber != null) {
            quietly(subscriber::close);
        }
        publisherChannels.values().forEach(c -> quietly(c::dispose));
        subscriberChannels.forEach(c -> quietly(c::dispose));
        publisherChannels.clear();
        subscriberChannels.clear();
        model.freeLocalMedia();
        publisher = null;
        subscriber = null;
        negotiation = null;
    }

    static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.debug("teardown step failed: {}", e.toString());
        }
    }

    /** Callbacks of one peer connection, on the session thread. */
    private final class TransportListener implements Peer.Listener {
        private final SignalTarget target;

        TransportListener(SignalTarget target) {
            this.target = target;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            signal.send(SignalRequest.newBuilder().setTrickle(LivekitRtc.TrickleRequest.newBuilder()
                    .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(target)).build());
        }

        @Override
        public void onConnectionState(RTCPeerConnectionState s) {
            if (mine() == null) {
                return; // a connection replaced by a full reconnect
            }
            CompletableFuture<Void> up = target == SignalTarget.PUBLISHER ? publisherUp : subscriberUp;
            switch (s) {
                case CONNECTED -> up.complete(null);
                case FAILED -> {
                    if (state == ConnectionState.CONNECTING) {
                        up.completeExceptionally(new RoomException("the " + target.name().toLowerCase()
                                + " media connection failed (ICE/DTLS)"));
                    } else {
                        // Only "failed" counts: "disconnected" comes and goes (client-sdk-js PCTransportManager.updateState).
                        onTransportTrouble("the " + target.name().toLowerCase() + " media connection failed", false,
                                target == SignalTarget.PUBLISHER ? LivekitModels.ReconnectReason.RR_PUBLISHER_FAILED
                                        : LivekitModels.ReconnectReason.RR_SUBSCRIBER_FAILED);
                    }
                }
                default -> {
                }
            }
        }

        private Peer mine() {
            return target == SignalTarget.PUBLISHER ? publisher : subscriber;
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            if (target == SignalTarget.SUBSCRIBER && mine() != null) {
                model.onRemoteTrack(transceiver.getReceiver().getTrack(), transceiver.getMid());
            }
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            if (target == SignalTarget.SUBSCRIBER && mine() != null) {
                model.onRemoteTrackRemoved(receiver.getTrack().getId());
            }
        }

        @Override
        public void onDataChannel(dev.onvoid.webrtc.RTCDataChannel channel) {
            // LiveKit creates _reliable and _lossy on the subscriber connection when it is primary.
            subscriberChannels.add(new DataChannelLink(channel, owner.executor(), RtcEngine.this::onData, st -> { }));
        }
    }
}
