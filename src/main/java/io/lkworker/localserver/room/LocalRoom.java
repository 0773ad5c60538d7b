package io.lkworker.localserver.room;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.localserver.Ids;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.WebSocketConnection;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import livekit.LivekitModels;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room on the development server: its participants, what they publish, who receives what, data
 * between them, and when the room closes (as livekit/livekit pkg/rtc/room.go does).
 *
 * <p>Threads: one room thread owns all of it. Signalling requests, libwebrtc callbacks, timers and
 * control calls (RoomService, tests) are handed to it; readers outside get snapshots. Nothing on the
 * room thread blocks on a client's socket: sends only queue ({@link SignalOutbox}).
 *
 * <p>Its parts, owned by the room thread as the room is: {@link RoomSignals} (signalling requests),
 * {@link RoomTracks} (publication, subscription, muting), {@link RoomData} (data packets),
 * {@link ParticipantUpdates} (telling the others of a change; the snapshots), {@link JoinMessages} (what a
 * join or a resume gets first). This class admits and resumes participants, removes them and closes the room.
 *
 * <p>Lifecycle as on the real server: the first join creates the room; agents (and recorders) do
 * not keep it open; when the last other participant has left, the room closes after the departure
 * timeout, and a room nobody but agents ever joined closes after the empty timeout.
 *
 * <p>Rooms survive the network: a participant whose signalling drops stays (with its peer
 * connections, tracks and subscriptions) and may resume on a new connection (livekit/livekit
 * pkg/rtc/room.go ResumeParticipant). The real server keeps an ICE-connected participant without a
 * deadline (pkg/rtc/participant.go HandleSignalSourceClose); a development server must also notice
 * crashed clients, so here it is removed when one of its peer connections leaves CONNECTED while the
 * signalling is down, or after the ping timeout without a resume, whichever comes first.
 */
final class LocalRoom {

    private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);
    /**
     * How long a connection thread waits for the room thread to admit its participant. The room thread
     * never blocks on clients, so this only bounds a wedged room (e.g. libwebrtc not answering).
     */
    private static final Duration JOIN_WAIT = Duration.ofSeconds(30);

    /** What the room needs from the rest of the server. */
    interface Host {
        /** The room closed; every participant is gone ({@code present} were in it and were told why). */
        void roomClosed(LocalRoom room, DisconnectReason reason, Set<String> present);

        LivekitModels.ServerInfo serverInfo();
    }

    private final LivekitModels.Room proto;
    private final ServerConfig config;
    private final PauseGate gate;
    private final io.lkworker.localserver.RoomSettings settings;
    private final Clock clock;
    private final Host host;
    private final OwnerThread owner;
    private final Executor exec;
    private MediaEngine engine;
    private final Map<String, ParticipantSession> participants = new LinkedHashMap<>();
    /** Changes to the participants, told to the others, and the snapshots readers outside see. */
    private final ParticipantUpdates updates = new ParticipantUpdates(participants);
    private final Parts parts = new Parts();
    /** What is published and who receives it. */
    private final RoomTracks tracks = new RoomTracks(parts);
    /** Data packets between the participants. */
    private final RoomData data = new RoomData(parts);
    /** The participants' signalling requests. */
    private final RoomSignals signals = new RoomSignals(parts, tracks, updates);
    /** When participants whose signalling or media went away are dropped. */
    private final ParticipantLiveness liveness;
    private boolean everHadEndUser;
    private ScheduledFuture<?> closeTimer;
    private volatile boolean closed;

    LocalRoom(LivekitModels.Room proto, ServerConfig config, io.lkworker.localserver.RoomSettings settings,
              PauseGate gate, Host host) {
        this.proto = proto;
        this.config = config;
        this.gate = gate;
        this.settings = settings;
        this.clock = config.clock();
        this.host = host;
        this.owner = new OwnerThread("lk-dev-room-" + proto.getName());
        this.exec = owner.executor();
        scheduleClose(settings.emptyTimeout(), "nobody joined");
        this.liveness = new ParticipantLiveness(owner, gate, config.pingTimeout(), new ParticipantLiveness.Room() {
            @Override
            public String name() {
                return LocalRoom.this.name();
            }

            @Override
            public List<ParticipantSession> participants() {
                return closed ? List.of() : new ArrayList<>(participants.values());
            }

            @Override
            public void remove(ParticipantSession s, DisconnectReason reason) {
                LocalRoom.this.remove(s, reason, null);
            }
        });
        owner.scheduleAtFixedRate(liveness::sweep, ParticipantLiveness.SWEEP_PERIOD.toMillis());
    }

    String name() {
        return proto.getName();
    }

    /** What the room's parts ({@link RoomTracks}, {@link RoomData}, {@link RoomSignals}) need of it; room thread. */
    private final class Parts implements RoomTracks.Room, RoomData.Room, RoomSignals.Room {
        @Override
        public String name() {
            return LocalRoom.this.name();
        }

        @Override
        public Collection<ParticipantSession> participants() {
            return participants.values();
        }

        @Override
        public void update(ParticipantSession s, ParticipantInfo.Builder changed, boolean includeSelf) {
            updates.update(s, changed, includeSelf);
        }

        @Override
        public MediaEngine engine() {
            return engine;
        }

        @Override
        public void remove(ParticipantSession s, DisconnectReason reason) {
            LocalRoom.this.remove(s, reason, null);
        }
    }

    LivekitModels.Room info() {
        List<ParticipantInfo> now = updates.snapshot();
        return proto.toBuilder().setNumParticipants(now.size())
                .setNumPublishers((int) now.stream().filter(p -> p.getTracksCount() > 0).count()).build();
    }

    /** How many participants are in the room (any thread). */
    int size() {
        return updates.snapshot().size();
    }

    /** Participants as of the last change (any thread). */
    List<ParticipantInfo> participants() {
        return updates.snapshot();
    }

    boolean isClosed() {
        return closed;
    }

    Executor executor() {
        return exec;
    }

    /** Runs {@code action} on the room thread and waits for it (control calls). */
    <T> T call(java.util.function.Supplier<T> action) {
        try {
            return owner.call(action::get);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("room '" + name() + "' is closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room '" + name() + "'", e);
        }
    }

    // ---- joining -------------------------------------------------------------------------------------

    /**
     * Admits a participant whose connection was just upgraded; then reads its signalling on the calling
     * (connection) thread until the connection ends.
     */
    void admit(WebSocketConnection ws, TokenClaims claims, boolean autoSubscribe, LivekitModels.ClientInfo client,
               String sdkName) {
        SignalLink link = new SignalLink(ws, label(claims.identity()), gate);
        CompletableFuture<ParticipantSession> joined = new CompletableFuture<>();
        exec.execute(() -> joined.complete(join(link, claims, autoSubscribe, client, sdkName)));
        readSignals(link, joined);
    }

    /**
     * A resume ({@code reconnect=1}) on a connection just upgraded: the participant with the token's
     * identity gets this connection, then its signalling is read on the calling thread until it ends.
     * Without such a participant the client is told to join afresh.
     */
    void resume(WebSocketConnection ws, TokenClaims claims, int reason) {
        SignalLink link = new SignalLink(ws, label(claims.identity()), gate);
        CompletableFuture<ParticipantSession> resumed = new CompletableFuture<>();
        exec.execute(() -> resumed.complete(resumeParticipant(link, claims, reason)));
        readSignals(link, resumed);
    }

    private void readSignals(SignalLink link, CompletableFuture<ParticipantSession> session) {
        ParticipantSession s;
        try {
            // Bounded: the room thread never blocks, but a closed room drops the task.
            s = session.get(JOIN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            s = null;
        }
        if (s == null) {
            // Refused (the leave is queued) or the room went away: read until the client goes.
            if (!session.isDone()) {
                link.fail(new SignalLink.End("room did not admit the participant", false));
            }
            link.readUntilClosed(Runnable::run, r -> { }, e -> { });
            return;
        }
        ParticipantSession participant = s;
        link.readUntilClosed(exec, r -> signals.onSignal(participant, link, r), e -> onSignalEnded(participant, link, e));
    }

    private String label(String identity) {
        return "room '" + name() + "' participant " + identity;
    }

    private ParticipantSession join(SignalLink link, TokenClaims claims, boolean autoSubscribe,
                                    LivekitModels.ClientInfo client, String sdkName) {
        if (closed) {
            link.fail(new SignalLink.End("room closed", false));
            return null;
        }
        ParticipantSession previous = participants.get(claims.identity());
        if (previous != null) {
            remove(previous, DisconnectReason.DUPLICATE_IDENTITY, leave(DisconnectReason.DUPLICATE_IDENTITY));
        } else if (participants.size() >= config.maxParticipantsPerRoom()) {
            // The endpoint refuses a full room before the upgrade; this is the race of two last joins.
            log.info("room '{}': refused {}: the room is full ({} participants)", name(), claims.identity(),
                    participants.size());
            link.close(leave(DisconnectReason.JOIN_FAILURE), new SignalLink.End("room full", false));
            return null;
        }
        long nowMs = clock.millis();
        ParticipantInfo info = ParticipantInfo.newBuilder()
                .setSid(Ids.next(Ids.PARTICIPANT))
                .setIdentity(claims.identity())
                .setName(claims.name())
                .setMetadata(claims.metadata())
                .putAllAttributes(claims.attributes())
                .setKind(claims.kind())
                .setState(ParticipantInfo.State.JOINED)
                .setJoinedAt(nowMs / 1000)
                .setJoinedAtMs(nowMs)
                .setPermission(claims.permission())
                .setVersion(1)
                .build();
        ParticipantSession session = new ParticipantSession(this, link, claims, autoSubscribe, client, info);
        if (engine == null) {
            engine = MediaEngine.shared();
        }
        session.startMedia(engine, exec);
        session.send(SignalResponse.newBuilder().setJoin(JoinMessages.joinResponse(info(), session, participants.values(),
                host.serverInfo(), config)).build());
        participants.put(claims.identity(), session);
        if (!claims.dependent()) {
            everHadEndUser = true;
            cancelClose();
        }
        updates.publishSnapshot();
        log.info("room '{}': {} joined ({}{}, sdk {} {}, protocol {})", name(), claims.identity(), info.getSid(),
                claims.kind() == ParticipantInfo.Kind.AGENT ? ", agent" : "", sdkName, client.getVersion(),
                client.getProtocol());
        updates.broadcast(info, session);
        // LiveKit sends the subscriber offer at once, with the data channels and the tracks already there.
        if (autoSubscribe && claims.permission().getCanSubscribe()) {
            tracks.subscribeToAll(session);
        }
        session.negotiateSubscriber();
        return session;
    }

    // ---- resuming ----------------------------------------------------------------------------------------

    /**
     * livekit/livekit pkg/service/roommanager.go StartSession and pkg/rtc/room.go ResumeParticipant: the
     * participant is found by identity (the {@code sid} is not compared); the new connection replaces
     * the old, then in order: ReconnectResponse, the participants that left meanwhile (DISCONNECTED),
     * all participants, the room, and an ICE-restart offer on the subscriber connection
     * (pkg/rtc/transport.go doICERestart). No such participant: {@code Leave{STATE_MISMATCH,
     * RECONNECT}} as the first and only message, and the client joins afresh.
     */
    private ParticipantSession resumeParticipant(SignalLink link, TokenClaims claims, int reason) {
        ParticipantSession s = closed ? null : participants.get(claims.identity());
        if (s == null || s.isClosed()) {
            log.info("room '{}': {} asked to resume, but is not in the room; told to join again", name(),
                    claims.identity());
            link.close(SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                    .setReason(DisconnectReason.STATE_MISMATCH).setAction(LivekitRtc.LeaveRequest.Action.RECONNECT))
                    .build(), new SignalLink.End("nothing to resume", false));
            return null;
        }
        s.resumeOn(link);
        log.info("room '{}': {} resumed ({}, reason {}, connection {})", name(), s.identity(), s.sid(), reason,
                s.connections());
        JoinMessages.sendResumed(s, info(), participants.values(), host.serverInfo());
        s.restartSubscriberIce();
        return s;
    }

    // ---- signalling ------------------------------------------------------------------------------------

    /** A signalling connection ended: {@link ParticipantLiveness#onSignalEnded}. */
    void onSignalEnded(ParticipantSession s, SignalLink link, SignalLink.End end) {
        if (s.isClosed() || s.link() != link || participants.get(s.identity()) != s) {
            return;
        }
        liveness.onSignalEnded(s, end);
    }

    void onTransportState(ParticipantSession s, boolean publisherSide, RTCPeerConnectionState state) {
        if (s.isClosed()) {
            return;
        }
        RTCPeerConnectionState previous = s.transportState(publisherSide, state);
        log.debug("room '{}': {}'s {} connection {}", name(), s.identity(), publisherSide ? "publisher" : "subscriber", state);
        if (state == RTCPeerConnectionState.CONNECTED && s.info().getState() == ParticipantInfo.State.JOINED) {
            updates.update(s, s.info().toBuilder().setState(ParticipantInfo.State.ACTIVE), false);
        }
        liveness.onTransportState(s, publisherSide, previous, state);
    }

    /** The participant's publisher connection started receiving a track: {@link RoomTracks#onPublishedMedia}. */
    void onPublishedMedia(ParticipantSession s, MediaStreamTrack track) {
        tracks.onPublishedMedia(s, track);
    }

    /** The participant stopped sending a track (unpublished it). */
    void onUnpublishedMedia(ParticipantSession s, String mediaId) {
        tracks.onUnpublishedMedia(s, mediaId);
    }

    /** RoomService.MutePublishedTrack ({@link RoomTracks#mutePublishedTrack}); null if there is no such track. */
    TrackInfo mutePublishedTrack(String identity, String trackSid, boolean muted) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return null;
        }
        return tracks.mutePublishedTrack(s, trackSid, muted);
    }

    // ---- data ------------------------------------------------------------------------------------------

    /** A data packet from {@code from}: {@link RoomData#onData}. */
    void onData(ParticipantSession from, byte[] bytes, boolean reliable) {
        data.onData(from, bytes, reliable);
    }

    /** The participant sent more data than the room thread can take: it floods and is removed. */
    void onDataFlood(ParticipantSession s) {
        data.onDataFlood(s);
    }

    /** A data message from the server itself (RoomService.SendData). */
    void sendData(byte[] payload, String topic, List<String> destinations, boolean reliable) {
        data.sendData(payload, topic, destinations, reliable);
    }


    // ---- leaving ---------------------------------------------------------------------------------------

    /** RoomService.RemoveParticipant: false if no such participant. */
    boolean removeParticipant(String identity) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return false;
        }
        remove(s, DisconnectReason.PARTICIPANT_REMOVED, leave(DisconnectReason.PARTICIPANT_REMOVED));
        return true;
    }

    // ---- test hooks (LocalLiveKitServer) ---------------------------------------------------------------

    /**
     * Sends the participant {@code Leave{action}}: RESUME closes its signalling and keeps it for its
     * resume; RECONNECT removes it (it rejoins afresh); DISCONNECT is RemoveParticipant. False if no such
     * participant.
     */
    boolean sendLeave(String identity, LivekitRtc.LeaveRequest.Action action) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return false;
        }
        switch (action) {
            case RESUME -> {
                log.info("room '{}': asking {} to resume", name(), identity);
                s.link().close(leave(DisconnectReason.SIGNAL_CLOSE, action), new SignalLink.End("told to resume", true));
            }
            case RECONNECT -> {
                log.info("room '{}': asking {} to reconnect afresh", name(), identity);
                remove(s, DisconnectReason.STATE_MISMATCH, leave(DisconnectReason.STATE_MISMATCH, action));
            }
            default -> remove(s, DisconnectReason.PARTICIPANT_REMOVED, leave(DisconnectReason.PARTICIPANT_REMOVED));
        }
        return true;
    }

    /** Cuts the participant's signalling TCP connection without a close frame; false if none is up. */
    boolean dropSignalling(String identity) {
        ParticipantSession s = participants.get(identity);
        if (s == null || !s.signalUp()) {
            return false;
        }
        log.info("room '{}': dropping the signalling connection of {}", name(), identity);
        s.link().fail(new SignalLink.End("dropped by the server (test hook)", true));
        return true;
    }

    /** The participant's signalling as the server sees it, if it is in the room. */
    java.util.Optional<SignallingState> signallingState(String identity) {
        ParticipantSession s = participants.get(identity);
        return s == null ? java.util.Optional.empty() : java.util.Optional.of(new SignallingState(identity, s.sid(),
                s.signalUp(), s.connections(), s.resumes(), Integer.toUnsignedLong(s.reliableSequence.last())));
    }

    private void remove(ParticipantSession s, DisconnectReason reason, SignalResponse lastMessage) {
        if (participants.get(s.identity()) != s) {
            s.close(null);
            return;
        }
        s.cancelRemoval();
        participants.remove(s.identity());
        tracks.unpublishAllOf(s);
        s.close(lastMessage);
        updates.publishSnapshot();
        log.info("room '{}': {} left ({})", name(), s.identity(), reason);
        ParticipantInfo gone = s.info().toBuilder().setState(ParticipantInfo.State.DISCONNECTED)
                .setDisconnectReason(reason).setVersion(s.info().getVersion() + 1).build();
        updates.broadcast(gone, null);
        if (!closed && everHadEndUser && participants.values().stream().allMatch(p -> p.claims.dependent())) {
            scheduleClose(settings.departureTimeout(), "the last participant left");
        }
    }

    private static SignalResponse leave(DisconnectReason reason) {
        return leave(reason, LivekitRtc.LeaveRequest.Action.DISCONNECT);
    }

    static SignalResponse leave(DisconnectReason reason, LivekitRtc.LeaveRequest.Action action) {
        return SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                .setReason(reason).setAction(action)).build();
    }

    /**
     * Closes the room: every participant is told why and removed. Room thread. Returns the signalling
     * connections now closing, so a server shutting down can let their leaves go out first.
     */
    List<SignalLink> close(DisconnectReason reason) {
        if (closed) {
            return List.of();
        }
        cancelClose();
        Set<String> present = new LinkedHashSet<>(participants.keySet());
        closed = true;
        List<SignalLink> closing = new ArrayList<>();
        for (ParticipantSession s : new ArrayList<>(participants.values())) {
            closing.add(s.link());
            remove(s, reason, leave(reason));
        }
        log.info("room '{}' closed ({})", name(), reason);
        host.roomClosed(this, reason, present);
        owner.shutdown();
        return closing;
    }

    private void scheduleClose(Duration after, String why) {
        cancelClose();
        closeTimer = owner.schedule(() -> {
            if (participants.values().stream().allMatch(p -> p.claims.dependent())) {
                log.info("room '{}': closing, {} ({} s ago)", name(), why, after.toSeconds());
                close(DisconnectReason.ROOM_CLOSED);
            }
        }, after.toMillis());
    }

    private void cancelClose() {
        if (closeTimer != null) {
            closeTimer.cancel(false);
            closeTimer = null;
        }
    }

    // ---- snapshots -------------------------------------------------------------------------------------

    /** The participants' clients as of the last change, by identity (any thread). */
    Map<String, LivekitModels.ClientInfo> clients() {
        return updates.clients();
    }

    void forEachParticipant(Consumer<ParticipantInfo> action) {
        updates.snapshot().forEach(action);
    }
}
