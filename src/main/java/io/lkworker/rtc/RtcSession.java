package io.lkworker.rtc;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.LocalVideoTrackPublication;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room as the agent sees it: the participants ({@link ParticipantTracker}), publishing local
 * tracks, data, our own metadata, and the events all of it produces ({@link RoomEvents}). The
 * connection under it — signalling, transports, resume and full reconnect — is the {@link RtcEngine}'s;
 * this class answers its milestones ({@link RtcEngine.Model}). Its parts: {@link LocalPublishing}
 * (our audio and video tracks), {@link OutgoingPackets} and {@link DataPacketRouter} (data out and
 * in), {@link Subscriptions}, {@link OwnInfoUpdates}, and the protocols over data ({@link RpcEndpoint},
 * data streams).
 *
 * <p><b>Threads and ownership.</b> The session thread ({@code lk-rtc-N}) owns all mutable state.
 * Public operations called from agent threads run their steps on it and wait on the agent's thread
 * for the server's answers, so the session thread never waits for the network. While the room is
 * reconnecting, operations wait (within their own timeouts) until it is back. Listener events go out
 * on the room's event thread.
 */
final class RtcSession implements RtcEngine.Model {

    private static final Logger log = LoggerFactory.getLogger(RtcSession.class);
    /** Server confirmation of a track, and the renegotiation after it: JS and Rust clients wait 10 s. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    /** Server confirmation of a metadata, name or attribute update. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final ConnectOptions options;
    private final MediaEngine media;
    /** The session thread; {@link #exec} hands it work and drops work once the session is over. */
    private final OwnerThread owner;
    final Executor exec;
    final RoomEvents events;
    final ParticipantTracker participants;
    private final RtcRoom room;
    private RtcEngine engine;
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    /** Our published tracks; made when connecting (null before). */
    private LocalPublishing publishing;
    private final OutgoingPackets outgoing;
    private final Subscriptions subscriptions;
    private final OwnInfoUpdates ownInfo = new OwnInfoUpdates();
    private volatile LivekitModels.Room roomInfo = LivekitModels.Room.getDefaultInstance();
    /** Incoming data packets to the listeners and to RPC and data streams. */
    private final DataPacketRouter packets;
    /** LiveKit RPC: our registered methods and the calls we make (outlives reconnects). */
    final RpcEndpoint rpc;

    RtcSession(ConnectOptions options) {
        this.options = options;
        this.media = MediaEngine.shared();
        int n = SESSIONS.incrementAndGet();
        this.owner = new OwnerThread("lk-rtc-" + n);
        this.exec = owner.executor();
        this.events = new RoomEvents("lk-rtc-" + n + "-events");
        this.participants = new ParticipantTracker(this, events);
        this.packets = new DataPacketRouter(participants);
        this.room = new RtcRoom(this);
        this.outgoing = new OutgoingPackets(this, participants);
        this.subscriptions = new Subscriptions(this, options.autoSubscribe());
        addPacketHandler(incomingStreams = new IncomingDataStreams("lk-rtc-" + n, exec));
        this.rpc = new RpcEndpoint(this);
        addPacketHandler(rpc);
    }

    RtcRoom room() {
        return room;
    }

    ConnectionState state() {
        return engine == null ? ConnectionState.CONNECTING : engine.state();
    }

    LivekitModels.Room roomInfo() {
        return roomInfo;
    }

    CompletableFuture<String> disconnectedFuture() {
        return disconnected;
    }

    /** The engine under this session; null before {@link #connect}. */
    RtcEngine engine() {
        return engine;
    }

    // ---- connect ------------------------------------------------------------------------------

    /** Joins; returns when signalling and media are up. Agent thread. */
    void connect(String url, String token, ConnectProgress progress) {
        long deadline = Awaits.deadline(options.timeout());
        engine = new RtcEngine(url, token, options, owner, this);
        publishing = new LocalPublishing(this, participants,
                new TrackPublisher(engine, owner, participants.localSupplier(), media),
                new VideoPublisher(engine, owner, media));
        try {
            JoinResponse join = engine.connect(deadline, progress);
            log.info("joined room {} as {} ({})", join.getRoom().getName(), join.getParticipant().getIdentity(),
                    join.getParticipant().getSid());
        } catch (RoomException e) {
            disconnect("JOIN_FAILURE", true);
            throw e;
        }
    }

    // ---- what the engine tells us (session thread) -------------------------------------------------

    @Override
    public void onJoined(JoinResponse join, boolean rejoined) {
        roomInfo = join.getRoom();
        serverVersion = join.getServerInfo().getVersion(); // RPC: UNSUPPORTED_SERVER below 1.8.0
        if (rejoined) {
            participants.onRejoin(join);
            log.info("rejoined room {} as {} ({})", join.getRoom().getName(), join.getParticipant().getIdentity(),
                    join.getParticipant().getSid());
        } else {
            participants.onJoin(join);
        }
    }

    @Override
    public void onRoomSignal(SignalResponse m) {
        switch (m.getMessageCase()) {
            case UPDATE -> participants.onUpdate(m.getUpdate().getParticipantsList());
            case TRACK_PUBLISHED -> publishing.onTrackPublished(m.getTrackPublished());
            case TRACK_UNPUBLISHED -> publishing.onServerUnpublished(m.getTrackUnpublished().getTrackSid());
            case ROOM_UPDATE -> roomInfo = m.getRoomUpdate().getRoom();
            case REQUEST_RESPONSE -> {
                ownInfo.onRequestResponse(m.getRequestResponse());
                publishing.onRefused(m.getRequestResponse());
            }
            case SUBSCRIPTION_RESPONSE -> log.warn("subscription to track {} failed: {}",
                    m.getSubscriptionResponse().getTrackSid(), m.getSubscriptionResponse().getErr());
            case MUTE -> participants.onServerMute(m.getMute().getSid(), m.getMute().getMuted());
            default -> {
                // speaker, quality, stream-state updates need nothing from an agent
            }
        }
    }

    @Override
    public void onSubscriberTracks(Map<String, String> midToTrackId) {
        participants.noteMidToTrackIds(midToTrackId);
    }

    @Override
    public void onRemoteTrack(MediaStreamTrack track, String mid) {
        participants.onRemoteTrack(track, mid);
    }

    @Override
    public void onRemoteTrackRemoved(String trackId) {
        participants.onRemoteTrackRemoved(trackId);
    }

    @Override
    public void onDataPacket(DataPacket packet) {
        packets.route(packet);
    }

    /** Registers a handler of non-user data packets; before {@link #connect}. */
    void addPacketHandler(DataPacketHandler handler) {
        packets.add(handler);
    }

    /** Session thread: a remote participant left; the packet handlers forget what they had from it. */
    void onRemoteLeft(String identity) {
        packets.onParticipantLeft(identity);
    }

    @Override
    public LivekitRtc.SyncState.Builder syncState() {
        LivekitRtc.SyncState.Builder sync = LivekitRtc.SyncState.newBuilder();
        sync.setSubscription(subscriptions.syncState());
        publishing.addPublishedTracks(sync);
        return sync;
    }

    @Override
    public void onRecovering() {
        events.emit("onReconnecting", l -> l.onReconnecting());
    }

    @Override
    public void onRestarting() {
        RoomException replaced = new RoomException("the room is reconnecting (a new session replaces this one)");
        publishing.failPending(replaced);
        ownInfo.failPending(replaced);
        subscriptions.clear();
        participants.unwindRemotes();
    }

    @Override
    public void endRemoteMedia() {
        participants.endAllTracks();
    }

    @Override
    public void detachLocalMedia(Peer publisher) {
        publishing.detach(publisher);
    }

    @Override
    public void freeLocalMedia() {
        publishing.freeNative();
    }

    @Override
    public void republish() {
        publishing.republish();
    }

    @Override
    public void onRecovered(boolean full) {
        events.emit("onReconnected", l -> l.onReconnected());
    }

    @Override
    public void onEnded(String reason, boolean wasUp) {
        RoomException gone = new RoomException("room disconnected (" + reason + ")");
        if (publishing != null) {
            publishing.failPending(gone);
            publishing.forgetVideos();
        }
        ownInfo.failPending(gone);
        if (participants.hasLocal()) {
            for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
                participants.local().removePublication(pub.sid());
                pub.ended("room disconnected (" + reason + ")");
            }
        }
        packets.onRoomClosed(reason);
        if (wasUp) {
            log.info("left room {} ({})", roomInfo.getName(), reason);
            events.emit("onDisconnected", l -> l.onDisconnected(reason));
        }
        events.finish();
        disconnected.complete(reason);
        owner.shutdown();
    }

    // ---- publishing (agent threads; see LocalPublishing) ---------------------------------------------

    LocalTrackPublicationImpl publishAudio(LocalAudioTrack track, TrackPublishOptions publishOptions) {
        return publishing.publishAudio(track, publishOptions);
    }

    void unpublishAudio(LocalAudioTrack track) {
        publishing.unpublishAudio(track);
    }

    LocalVideoPublicationImpl publishVideo(LocalVideoTrack track, TrackPublishOptions publishOptions) {
        return publishing.publishVideo(track, publishOptions);
    }

    void unpublishVideo(LocalVideoTrack track) {
        publishing.unpublishVideo(track);
    }

    Map<String, LocalVideoTrackPublication> videoPublications() {
        return publishing == null ? Map.of() : publishing.videoPublications();
    }

    /** Session thread: the server's view of our tracks (e.g. muted by an admin) reaches our video publications. */
    void updateOwnVideoInfo(List<LivekitModels.TrackInfo> tracksInfo) {
        if (publishing != null) {
            publishing.updateOwnVideoInfo(tracksInfo);
        }
    }

    // ---- data (see OutgoingPackets) ---------------------------------------------------------------------

    void publishData(byte[] data, DataOptions dataOptions) {
        outgoing.publishData(data, dataOptions);
    }

    /** Sends {@code packet} when the room and channel are up ({@link OutgoingPackets#sendPacket}). Agent threads. */
    void sendPacket(DataPacket.Builder packet, boolean reliable, long deadlineNanos) {
        outgoing.sendPacket(packet, reliable, deadlineNanos);
    }

    /** Sends {@code packet} at once or not at all ({@link OutgoingPackets#sendPacketNow}). Session thread. */
    boolean sendPacketNow(DataPacket.Builder packet) {
        return outgoing.sendPacketNow(packet);
    }

    /** Waits for the reliable channel's backlog ({@link OutgoingPackets#awaitReliableBacklogBelow}). Agent thread. */
    void awaitReliableBacklogBelow(long maxBytes, long deadlineNanos) {
        outgoing.awaitReliableBacklogBelow(maxBytes, deadlineNanos);
    }

    // ---- data streams ---------------------------------------------------------------------------------

    /** Incoming text and byte streams: registries, open streams, handler threads. */
    private final IncomingDataStreams incomingStreams;
    private final OutgoingDataStreams outgoingStreams = new OutgoingDataStreams(this);

    IncomingDataStreams incomingStreams() {
        return incomingStreams;
    }

    OutgoingDataStreams outgoingStreams() {
        return outgoingStreams;
    }

    // ---- RPC: what RpcEndpoint needs of the session ------------------------------------------------

    /** The server's version from the last JoinResponse ("" until joined): RPC needs 1.8.0. */
    private volatile String serverVersion = "";

    /** The LiveKit server's version, as its last JoinResponse said ("" before joining). */
    String serverVersion() {
        return serverVersion;
    }

    // ---- subscriptions and our own info ------------------------------------------------------------------

    void updateSubscription(String trackSid, boolean subscribe) {
        subscriptions.update(trackSid, subscribe);
    }

    /** Session thread: subscribes to {@code publication} if auto-subscription is audio only and it is audio. */
    void autoSubscribeAudio(RemoteTrackPublicationImpl publication) {
        subscriptions.autoSubscribeAudio(publication);
    }

    void updateOwnInfo(String metadata, String name, Map<String, String> attributes) {
        long deadline = Awaits.deadline(REQUEST_TIMEOUT);
        awaitUsable(deadline);
        OwnInfoUpdates.Pending pending = call(() -> {
            OwnInfoUpdates.Pending p = ownInfo.start(metadata, name, attributes);
            engine.send(SignalRequest.newBuilder().setUpdateMetadata(p.request(participants.local())).build(), false);
            return p;
        });
        try {
            Awaits.await(pending.done(), deadline, "the server to apply the participant update");
        } finally {
            exec.execute(() -> ownInfo.forget(pending));
        }
    }

    /** Session thread: our own participant info changed; completes updates it shows applied. */
    void onOwnInfo(ParticipantInfo info) {
        ownInfo.onOwnInfo(info);
    }

    // ---- disconnect ------------------------------------------------------------------------------

    /** Leaves the room; waits for the teardown. Any thread but the session and event threads. */
    void disconnect(String reason, boolean sendLeave) {
        if (engine == null) {
            return;
        }
        if (owner.isCurrent()) {
            engine.shutdown(reason, sendLeave);
            return;
        }
        if (state() == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        owner.executor().execute(() -> {
            try {
                engine.shutdown(reason, sendLeave);
            } finally {
                done.complete(null);
            }
        });
        disconnected.thenRun(() -> done.complete(null)); // ended meanwhile by the session itself
        if (!events.onEventThread()) {
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("room teardown did not finish in 5 s");
            }
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    /**
     * Waits until the room can take an operation: at once when connected; while it reconnects, until it
     * is back (or {@code deadline}); throws when it is disconnected.
     */
    void awaitUsable(long deadlineNanos) {
        ConnectionState s = state();
        if (s == ConnectionState.CONNECTED) {
            return;
        }
        if (s == ConnectionState.DISCONNECTED) {
            throw new RoomException("room is disconnected (" + disconnected.getNow("unknown") + ")");
        }
        if (s == ConnectionState.CONNECTING) {
            throw new RoomException("room is not connected yet");
        }
        Awaits.await(engine.whenConnected(), deadlineNanos, "the room to reconnect");
    }

    /** Runs {@code task} on the session thread and returns its result; agent threads only. */
    <T> T call(Callable<T> task) {
        try {
            return Awaits.call(owner, task);
        } catch (RoomException e) {
            if (state() == ConnectionState.DISCONNECTED && "room is disconnected".equals(e.getMessage())) {
                throw new RoomException("room is disconnected (" + disconnected.getNow("unknown") + ")");
            }
            throw e;
        }
    }
}
