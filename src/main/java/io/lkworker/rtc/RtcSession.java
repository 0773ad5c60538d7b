package io.lkworker.rtc;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * this class answers its milestones ({@link RtcEngine.Model}).
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
    /** Data channels are bounded by memory, not by the network: refuse to queue more than this. */
    static final long MAX_BUFFERED_DATA = 16L << 20;
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
    private TrackPublisher tracks;
    private VideoPublisher videos;
    private final OwnInfoUpdates ownInfo = new OwnInfoUpdates();
    /** Subscriptions the agent chose (or auto-subscription made), by track sid: sent in SyncState on resume. */
    private final Map<String, Boolean> subscriptionChoices = new HashMap<>();
    private volatile LivekitModels.Room roomInfo = LivekitModels.Room.getDefaultInstance();
    /** RPC, data streams: who takes which non-user data packets (fixed once connected). */
    private final List<DataPacketHandler> packetHandlers = new CopyOnWriteArrayList<>();
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
        this.room = new RtcRoom(this);
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

    // ---- connect ------------------------------------------------------------------------------

    /** Joins; returns when signalling and media are up. Agent thread. */
    void connect(String url, String token, ConnectProgress progress) {
        long deadline = Awaits.deadline(options.timeout());
        engine = new RtcEngine(url, token, options, owner, this);
        tracks = new TrackPublisher(engine, owner, participants.localSupplier(), media);
        videos = new VideoPublisher(engine, owner, media);
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
            case TRACK_PUBLISHED -> {
                tracks.onTrackPublished(m.getTrackPublished());
                videos.onTrackPublished(m.getTrackPublished());
            }
            case TRACK_UNPUBLISHED -> {
                tracks.onServerUnpublished(m.getTrackUnpublished().getTrackSid());
                videos.onServerUnpublished(m.getTrackUnpublished().getTrackSid());
            }
            case ROOM_UPDATE -> roomInfo = m.getRoomUpdate().getRoom();
            case REQUEST_RESPONSE -> {
                ownInfo.onRequestResponse(m.getRequestResponse());
                videos.onRefused(m.getRequestResponse());
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
        if (packet.hasUser()) {
            participants.onUserData(packet);
            return;
        }
        String sender = packet.getParticipantIdentity();
        if (participants.hasLocal() && sender.equals(participants.local().identity())
                && packet.getValueCase() != DataPacket.ValueCase.STREAM_HEADER) {
            return; // (a stream header naming us is an agent's transcription of what we said)
        }
        for (DataPacketHandler handler : packetHandlers) {
            if (handler.accepts(packet.getValueCase())) {
                handler.onPacket(packet, sender);
                return;
            }
        }
    }

    /** Registers a handler of non-user data packets; before {@link #connect}. */
    void addPacketHandler(DataPacketHandler handler) {
        packetHandlers.add(handler);
    }

    /** Session thread: a remote participant left; the packet handlers forget what they had from it. */
    void onRemoteLeft(String identity) {
        for (DataPacketHandler handler : packetHandlers) {
            handler.onParticipantLeft(identity);
        }
    }

    @Override
    public LivekitRtc.SyncState.Builder syncState() {
        LivekitRtc.SyncState.Builder sync = LivekitRtc.SyncState.newBuilder();
        boolean all = options.autoSubscribe() == AutoSubscribe.ALL;
        // With auto-subscription the server needs the tracks we do NOT want; else the ones we do. Tracks
        // whose media simply has not arrived yet are not "unwanted" (client-sdk-swift #859).
        LivekitRtc.UpdateSubscription.Builder subscription = LivekitRtc.UpdateSubscription.newBuilder().setSubscribe(!all);
        subscriptionChoices.forEach((sid, wanted) -> {
            if (wanted != all) {
                subscription.addTrackSids(sid);
            }
        });
        sync.setSubscription(subscription);
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            if (pub.info() != null) {
                sync.addPublishTracks(LivekitRtc.TrackPublishedResponse.newBuilder().setCid(pub.cid()).setTrack(pub.info()));
            }
        }
        syncVideo(sync);
        return sync;
    }

    @Override
    public void onRecovering() {
        events.emit("onReconnecting", l -> l.onReconnecting());
    }

    @Override
    public void onRestarting() {
        RoomException replaced = new RoomException("the room is reconnecting (a new session replaces this one)");
        tracks.failPending(replaced);
        videos.failPending(replaced);
        ownInfo.failPending(replaced);
        subscriptionChoices.clear();
        participants.unwindRemotes();
    }

    @Override
    public void endRemoteMedia() {
        participants.endAllTracks();
    }

    @Override
    public void detachLocalMedia(Peer publisher) {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            pub.stopSending(publisher);
        }
        detachVideo(publisher);
    }

    @Override
    public void freeLocalMedia() {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            pub.freeNative();
        }
        freeVideo();
    }

    @Override
    public void republish() {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            String oldSid = pub.sid();
            tracks.publish(pub, Awaits.deadline(PUBLISH_TIMEOUT), true);
            log.info("republished audio track {} as {} ({})", oldSid, pub.sid(), pub.track().name());
        }
        republishVideo();
    }

    @Override
    public void onRecovered(boolean full) {
        events.emit("onReconnected", l -> l.onReconnected());
    }

    @Override
    public void onEnded(String reason, boolean wasUp) {
        RoomException gone = new RoomException("room disconnected (" + reason + ")");
        if (tracks != null) {
            tracks.failPending(gone);
            videos.failPending(gone);
            videos.forgetAll();
        }
        ownInfo.failPending(gone);
        if (participants.hasLocal()) {
            for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
                participants.local().removePublication(pub.sid());
                pub.ended("room disconnected (" + reason + ")");
            }
        }
        for (DataPacketHandler handler : packetHandlers) {
            handler.onRoomClosed(reason);
        }
        if (wasUp) {
            log.info("left room {} ({})", roomInfo.getName(), reason);
            events.emit("onDisconnected", l -> l.onDisconnected(reason));
        }
        events.finish();
        disconnected.complete(reason);
        owner.shutdown();
    }

    // ---- publishing -----------------------------------------------------------------------------------

    LocalTrackPublicationImpl publishAudio(LocalAudioTrack track, TrackPublishOptions publishOptions) {
        long deadline = Awaits.deadline(PUBLISH_TIMEOUT);
        awaitUsable(deadline);
        LocalTrackPublicationImpl pub = call(() -> {
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
        if (state() == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = call(() -> {
            LocalTrackPublicationImpl pub = participants.local().publicationOf(track);
            return pub == null ? CompletableFuture.completedFuture(null) : tracks.remove(pub, true, "track unpublished");
        });
        Awaits.await(done, Awaits.deadline(PUBLISH_TIMEOUT), "the media negotiation after unpublishing");
    }


    // ---- video -------------------------------------------------------------------------------------

    LocalVideoPublicationImpl publishVideo(io.lkworker.api.rtc.LocalVideoTrack track, TrackPublishOptions publishOptions) {
        if (publishOptions.source() == io.lkworker.api.rtc.TrackSource.MICROPHONE
                || publishOptions.source() == io.lkworker.api.rtc.TrackSource.SCREEN_SHARE_AUDIO) {
            throw new IllegalArgumentException("a video track cannot be published as " + publishOptions.source()
                    + "; use TrackPublishOptions.video() (CAMERA) or withSource(SCREEN_SHARE)");
        }
        long deadline = Awaits.deadline(PUBLISH_TIMEOUT);
        awaitUsable(deadline);
        LocalVideoPublicationImpl pub = call(() -> {
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

    void unpublishVideo(io.lkworker.api.rtc.LocalVideoTrack track) {
        if (state() == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = call(() -> {
            LocalVideoPublicationImpl pub = videos.publicationOf(track);
            return pub == null ? CompletableFuture.completedFuture(null) : videos.remove(pub, true, "track unpublished");
        });
        Awaits.await(done, Awaits.deadline(PUBLISH_TIMEOUT), "the media negotiation after unpublishing video");
    }

    Map<String, io.lkworker.api.rtc.LocalVideoTrackPublication> videoPublications() {
        return videos == null ? Map.of() : videos.snapshot();
    }

    /** Session thread: the server's view of our tracks (e.g. muted by an admin) reaches our video publications. */
    void updateOwnVideoInfo(List<LivekitModels.TrackInfo> tracksInfo) {
        if (videos == null) {
            return;
        }
        for (LivekitModels.TrackInfo track : tracksInfo) {
            for (LocalVideoPublicationImpl pub : videos.publications()) {
                if (pub.sid().equals(track.getSid())) {
                    pub.update(track);
                }
            }
        }
    }

    private void syncVideo(LivekitRtc.SyncState.Builder sync) {
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            if (pub.info() != null) {
                sync.addPublishTracks(LivekitRtc.TrackPublishedResponse.newBuilder().setCid(pub.cid()).setTrack(pub.info()));
            }
        }
    }

    private void detachVideo(Peer publisher) {
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            pub.stopSending(publisher);
        }
    }

    private void freeVideo() {
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            pub.freeNative();
        }
    }

    /** Recovery thread, after a full reconnect: every video track again, keeping its publication. */
    private void republishVideo() {
        for (LocalVideoPublicationImpl pub : videos.publications()) {
            String oldSid = pub.sid();
            videos.publish(pub, Awaits.deadline(PUBLISH_TIMEOUT), true);
            log.info("republished video track {} as {} ({})", oldSid, pub.sid(), pub.track().name());
        }
    }


    // ---- data ---------------------------------------------------------------------------------------

    void publishData(byte[] data, DataOptions dataOptions) {
        if (data.length > DataOptions.MAX_SIZE) {
            throw new IllegalArgumentException("data message of " + data.length + " bytes is over the limit of "
                    + DataOptions.MAX_SIZE);
        }
        LivekitModels.UserPacket.Builder user = LivekitModels.UserPacket.newBuilder()
                .setPayload(com.google.protobuf.ByteString.copyFrom(data))
                .addAllDestinationIdentities(dataOptions.destinationIdentities());
        if (!dataOptions.topic().isEmpty()) {
            user.setTopic(dataOptions.topic());
        }
        sendPacket(DataPacket.newBuilder().addAllDestinationIdentities(dataOptions.destinationIdentities()).setUser(user),
                dataOptions.reliable(), Awaits.deadline(PUBLISH_TIMEOUT));
    }

    /**
     * Sends {@code packet} (its value and destinations set; kind and sender are filled in here) once the
     * room is usable and the data channel open, waiting for a reconnect within {@code deadlineNanos}.
     * Agent threads only. Throws {@link RoomException} when the channel is closed or congested.
     */
    void sendPacket(DataPacket.Builder packet, boolean reliable, long deadlineNanos) {
        awaitUsable(deadlineNanos);
        Awaits.await(call(() -> engine.dataChannelOpen(reliable)), deadlineNanos, "the data channel to open");
        boolean sent = call(() -> {
            if (engine.bufferedData(reliable) > MAX_BUFFERED_DATA) {
                throw new RoomException("data channel congested: over " + (MAX_BUFFERED_DATA >> 20)
                        + " MB waiting to be sent");
            }
            LocalParticipantImpl me = participants.local();
            packet.setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY).setParticipantSid(me.sid());
            if (packet.getParticipantIdentity().isEmpty()) {
                // a data stream sent on behalf of another participant keeps that identity (transcriptions)
                packet.setParticipantIdentity(me.identity());
            }
            return engine.sendData(packet, reliable);
        });
        if (!sent) {
            throw new RoomException("data channel is not open");
        }
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

    /**
     * Agent thread: waits while more than {@code maxBytes} wait unsent in the reliable data channel, so
     * a data stream's writer slows to the network's pace instead of queueing. libwebrtc's
     * buffered-amount callback is not relayed to us, so this looks every few milliseconds.
     */
    void awaitReliableBacklogBelow(long maxBytes, long deadlineNanos) {
        while (engine != null && call(() -> engine.bufferedData(true)) > maxBytes) {
            if (System.nanoTime() > deadlineNanos) {
                throw new RoomException("data channel congested: over " + (maxBytes >> 20)
                        + " MiB still unsent after " + OutgoingStream.SEND_TIMEOUT.toSeconds() + " s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
    }

    // ---- RPC: what RpcEndpoint needs of the session ------------------------------------------------

    /** The server's version from the last JoinResponse ("" until joined): RPC needs 1.8.0. */
    private volatile String serverVersion = "";

    /** The LiveKit server's version, as its last JoinResponse said ("" before joining). */
    String serverVersion() {
        return serverVersion;
    }

    /**
     * Session thread: sends {@code packet} (value and destinations set) on the reliable channel at once,
     * without waiting; false if there is no channel to send it on or it is congested. For answers that must not wait for
     * anything, nor queue behind agent threads (RPC acknowledgements).
     */
    boolean sendPacketNow(DataPacket.Builder packet) {
        if (engine == null || !participants.hasLocal() || state() == ConnectionState.DISCONNECTED
                || engine.bufferedData(true) > MAX_BUFFERED_DATA) {
            return false;
        }
        LocalParticipantImpl me = participants.local();
        packet.setKind(DataPacket.Kind.RELIABLE).setParticipantIdentity(me.identity()).setParticipantSid(me.sid());
        return engine.sendData(packet, true);
    }

    // ---- subscriptions and our own info ------------------------------------------------------------------

    void updateSubscription(String trackSid, boolean subscribe) {
        if (state() == ConnectionState.DISCONNECTED) {
            throw new RoomException("room is disconnected");
        }
        exec.execute(() -> {
            subscriptionChoices.put(trackSid, subscribe);
            engine.send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                    .addTrackSids(trackSid).setSubscribe(subscribe)).build(), false);
        });
    }

    /** Session thread: subscribes to {@code publication} if auto-subscription is audio only and it is audio. */
    void autoSubscribeAudio(RemoteTrackPublicationImpl publication) {
        if (options.autoSubscribe() == AutoSubscribe.AUDIO_ONLY && publication.kind() == TrackKind.AUDIO) {
            subscriptionChoices.put(publication.sid(), true);
            log.debug("subscribing to audio track {}", publication.sid());
            engine.send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                    .addTrackSids(publication.sid()).setSubscribe(true)).build(), false);
        }
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
    private void awaitUsable(long deadlineNanos) {
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
