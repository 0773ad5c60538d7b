package io.lkworker.rtc;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitRtc;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection under a room: the signalling ({@link SignalClient}), the session's two peer
 * connections ({@link Transports}), reliable data numbering ({@link ReliableData}), the connection
 * state, and — through {@link Recovery} — resume and full reconnect. The room model on top
 * ({@link RtcSession}) sees joins, room messages, tracks and data, and recovery's milestones
 * ({@link Model}).
 *
 * <p>Threads: the session thread owns all of this; libwebrtc callbacks and signalling messages are
 * handed to it. Only {@link #connect} (an agent thread) and {@link Recovery} (its own thread) wait for
 * the network, each through futures completed on the session thread.
 */
final class RtcEngine implements SignalClient.Listener, Transports.Events {

    private static final Logger log = LoggerFactory.getLogger(RtcEngine.class);

    /** What the room model does at the engine's milestones; all on the session thread unless noted. */
    interface Model {
        /** A join response: the first one, or a new session's after a full reconnect ({@code rejoined}). */
        void onJoined(JoinResponse join, boolean rejoined);

        /** Any room message the engine does not handle itself (participant updates, tracks, requests). */
        void onRoomSignal(SignalResponse message);

        /** The server offers the subscriber connection; its m-lines carry these tracks. */
        void onSubscriberTracks(Map<String, String> midToTrackId);

        void onRemoteTrack(MediaStreamTrack track, String mid);

        void onRemoteTrackRemoved(String trackId);

        void onDataPacket(DataPacket packet);

        /** What the server needs to resume this session: subscriptions and published tracks. */
        LivekitRtc.SyncState.Builder syncState();

        /** Recovery began (state is now RECONNECTING). */
        void onRecovering();

        /** A full reconnect is about to replace the session: remote state goes, local media stops. */
        void onRestarting();

        /**
         * The transports are about to close: every subscribed remote track ends now, while libwebrtc's
         * objects behind it still exist (a closed connection frees them).
         */
        void endRemoteMedia();

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

    private final MediaEngine media;
    final OwnerThread owner;
    private final Model model;
    final SignalClient signal;
    private final Recovery recovery;
    private final ReliableData reliable = new ReliableData();
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    /** The session's transports; null before the join and between a full reconnect's teardown and rejoin. */
    private Transports transports;
    private CompletableFuture<JoinResponse> joined = new CompletableFuture<>();
    /** Completes whenever the room is (again) connected; replaced when recovery starts. */
    private volatile CompletableFuture<Void> connectedNow = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private String participantSid = "";

    RtcEngine(String url, String token, ConnectOptions options, OwnerThread owner, Model model) {
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
    JoinResponse connect(long deadlineNanos, ConnectProgress progress) {
        signal.open(null, 0, Awaits.remaining(deadlineNanos));
        JoinResponse join = awaitMedia(deadlineNanos, progress);
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
        return awaitMedia(deadlineNanos, ConnectProgress.NONE);
    }

    private JoinResponse awaitMedia(long deadlineNanos, ConnectProgress progress) {
        CompletableFuture<JoinResponse> join = Awaits.call(owner, () -> joined);
        JoinResponse response = Awaits.await(join, deadlineNanos, "the server's answer to the join");
        progress.signallingConnected();
        CompletableFuture<Void> sub = Awaits.call(owner, () -> transports.subscriberUp());
        CompletableFuture<Void> pub = Awaits.call(owner, () -> transports.publisherUp());
        Awaits.await(sub, deadlineNanos, "the subscriber media connection (ICE/DTLS)");
        Awaits.await(pub, deadlineNanos, "the publisher media connection (ICE/DTLS)");
        progress.transportsUp();
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
            case OFFER -> transports.onOffer(m.getOffer());
            case ANSWER -> transports.onAnswer(m.getAnswer());
            case TRICKLE -> transports.onTrickle(m.getTrickle());
            case LEAVE -> onLeave(m.getLeave());
            case RECONNECT -> log.debug("ignoring a reconnect response outside a resume");
            default -> model.onRoomSignal(m);
        }
    }

    private void onJoin(JoinResponse join) {
        boolean rejoined = !participantSid.isEmpty();
        participantSid = join.getParticipant().getSid();
        model.onJoined(join, rejoined);
        transports = new Transports(media, owner, join, signal::send, () -> state == ConnectionState.CONNECTING, this);
        long timeout = join.getPingTimeout() > 0 ? join.getPingTimeout() : 15;
        signal.startPings(join.getPingInterval(), timeout);
        joined.complete(join);
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

    /** A transport failed (resume), or a negotiation got stuck (full reconnect). */
    @Override
    public void onTrouble(String what, boolean full, SignalTarget target) {
        if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTING) {
            log.warn("{}", what);
            recovery.trigger(full, target == SignalTarget.PUBLISHER ? LivekitModels.ReconnectReason.RR_PUBLISHER_FAILED
                    : LivekitModels.ReconnectReason.RR_SUBSCRIBER_FAILED, false, "MEDIA_FAILURE");
        }
    }

    @Override
    public void onRemoteTrack(MediaStreamTrack track, String mid) {
        model.onRemoteTrack(track, mid);
    }

    @Override
    public void onRemoteTrackRemoved(String trackId) {
        model.onRemoteTrackRemoved(trackId);
    }

    @Override
    public void onSubscriberTracks(Map<String, String> midToTrackId) {
        model.onSubscriberTracks(midToTrackId);
    }

    // ---- data -----------------------------------------------------------------------------------------

    /** Session thread: sends one packet on the channel of its kind; reliable ones are numbered and kept for a resume. */
    boolean sendData(DataPacket.Builder packet, boolean isReliable) {
        if (transports == null) {
            return false;
        }
        if (!isReliable) {
            return transports.send(packet.build().toByteArray(), false);
        }
        int seq = reliable.nextSequence();
        byte[] bytes = packet.setSequence(seq).build().toByteArray();
        reliable.sent(seq, bytes);
        // While the room resumes the packet waits in the replay buffer and goes out after the resume.
        return state == ConnectionState.RECONNECTING || transports.send(bytes, true);
    }

    long bufferedData(boolean isReliable) {
        return transports == null ? 0 : transports.buffered(isReliable);
    }

    CompletableFuture<Void> dataChannelOpen(boolean isReliable) {
        return transports == null ? CompletableFuture.failedFuture(new RoomException("room is reconnecting"))
                : transports.dataChannelOpen(isReliable);
    }

    @Override
    public void onData(byte[] bytes) {
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

    /** The publisher connection, or null while a full reconnect has none. */
    Peer publisher() {
        return transports == null ? null : transports.publisher();
    }

    PublisherNegotiation negotiation() {
        return transports == null ? null : transports.negotiation();
    }

    /** See {@link Transports#tracksWithOffer()}; false while a full reconnect has no transports. */
    boolean tracksWithOffer() {
        return transports != null && transports.tracksWithOffer();
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
        transports.setIceServers(response.getIceServersList());
        LivekitRtc.SyncState.Builder sync = model.syncState();
        transports.describe(sync);
        signal.send(SignalRequest.newBuilder().setSyncState(sync).build());
        return transports.negotiation().restartIce();
    }

    /** Completes when both transports this session uses are connected (now or later). */
    CompletableFuture<Void> transportsConnected() {
        return transports.connected();
    }

    /** Resume done: held requests go out, reliable data the server missed is sent again. */
    void finishResume(int lastMessageSeq) {
        signal.release();
        int oldest = reliable.oldestKept();
        List<byte[]> replay = reliable.after(lastMessageSeq);
        if (oldest > lastMessageSeq + 1 && !replay.isEmpty()) {
            log.warn("reliable data {}..{} sent before the resume is no longer kept and was lost", lastMessageSeq + 1, oldest - 1);
        }
        replay.forEach(packet -> transports.send(packet, true));
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

    /** Closes the session's transports, local media detached before and freed after. */
    private void closeTransports(RoomException why) {
        model.endRemoteMedia();
        if (transports != null) {
            transports.close(why, model::detachLocalMedia);
            transports = null;
        }
        model.freeLocalMedia();
    }

    static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.debug("teardown step failed: {}", e.toString());
        }
    }
}
