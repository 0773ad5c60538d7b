package io.lkworker.localserver.room;

import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.Route;
import io.lkworker.localserver.http.WebSocketConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitModels;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room side of the development server: room signalling on {@code /rtc}, rooms created by the
 * first join and closed when empty, media and data forwarded between participants, and the
 * operations RoomService offers. Knows nothing of workers and jobs: it tells its {@link AgentSide}
 * when rooms open and close, and the agent side dispatches and ends jobs.
 *
 * <p>WebRTC is loaded on the first join, so a server whose rooms are never used never loads it.
 */
public final class RoomServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoomServer.class);

    /** What rooms tell the agent side. Called on room threads and connection threads; must not block long. */
    public interface AgentSide {
        /**
         * A join created room {@code name}: dispatch its agents ({@code agentNames} from the token's
         * room configuration, each with metadata; none means LiveKit's default dispatch) and return the
         * room's description (sid, timeouts).
         */
        LivekitModels.Room roomCreated(String name, List<AgentRequest> agents);

        /** The room closed (or was deleted); {@code presentIdentities} were in it and have been told to leave. */
        void roomClosed(String name, DisconnectReason reason, Set<String> presentIdentities);
    }

    /** An agent the room's creator asked for ({@code roomConfig.agents} in its token). */
    public record AgentRequest(String agentName, String metadata) {
    }

    private final ServerConfig config;
    private final LivekitModels.ServerInfo serverInfo;
    private final AgentSide agentSide;
    private final RtcEndpoint endpoint;
    private final ConcurrentHashMap<String, LocalRoom> rooms = new ConcurrentHashMap<>();
    private final PauseGate gate;
    private volatile boolean closed;

    /** @param gate holds every room signalling connection while paused (see {@link PauseGate}) */
    public RoomServer(ServerConfig config, ApiKeyAuth auth, LivekitModels.ServerInfo serverInfo, AgentSide agentSide,
                      PauseGate gate) {
        this.config = config;
        this.serverInfo = serverInfo;
        this.agentSide = agentSide;
        this.gate = gate;
        this.endpoint = new RtcEndpoint(auth, config.maxMessageBytes(), new RtcEndpoint.Rooms() {
            @Override
            public RtcEndpoint.Refusal refuse(TokenClaims claims) {
                return capacityRefusal(claims);
            }

            @Override
            public void admit(TokenClaims claims, WebSocketConnection ws, boolean autoSubscribe,
                              LivekitModels.ClientInfo client, String sdkName) {
                RoomServer.this.admit(claims, ws, autoSubscribe, client, sdkName);
            }

            @Override
            public void resume(TokenClaims claims, WebSocketConnection ws, int reconnectReason) {
                RoomServer.this.resume(claims, ws, reconnectReason);
            }
        });
    }

    /**
     * A full room is refused as the real server refuses it (livekit/livekit pkg/rtc/room.go Join returns
     * ErrMaxParticipantsExceeded, which pkg/service/rtcservice.go ServeHTTP answers with 500 and the
     * error's text before the upgrade). The room cap is the development server's own: 503, retry later.
     */
    private RtcEndpoint.Refusal capacityRefusal(TokenClaims claims) {
        LocalRoom room = rooms.get(claims.room());
        if (room != null && !room.isClosed()) {
            boolean rejoin = room.participants().stream().anyMatch(p -> p.getIdentity().equals(claims.identity()));
            if (!rejoin && room.size() >= config.maxParticipantsPerRoom()) {
                return new RtcEndpoint.Refusal(500, "room has exceeded its max participants ("
                        + config.maxParticipantsPerRoom() + ")");
            }
            return null;
        }
        long open = rooms.values().stream().filter(r -> !r.isClosed()).count();
        if (open >= config.maxRooms()) {
            return new RtcEndpoint.Refusal(503, "the development server has reached its limit of " + config.maxRooms()
                    + " open rooms");
        }
        return null;
    }

    public List<Route> routes() {
        return List.of(Route.exact(RtcEndpoint.PATH, endpoint), Route.exact(RtcEndpoint.VALIDATE, endpoint),
                Route.prefix(RtcEndpoint.V1, endpoint));
    }

    private void admit(TokenClaims claims, WebSocketConnection ws, boolean autoSubscribe, LivekitModels.ClientInfo client,
                       String sdkName) {
        if (closed) {
            ws.abort();
            return;
        }
        LocalRoom room = rooms.compute(claims.room(), (name, existing) -> existing != null && !existing.isClosed()
                ? existing : newRoom(name, claims));
        room.admit(ws, claims, autoSubscribe, client, sdkName);
    }

    private void resume(TokenClaims claims, WebSocketConnection ws, int reconnectReason) {
        LocalRoom room = closed ? null : rooms.get(claims.room());
        if (room == null || room.isClosed()) {
            log.info("room '{}': {} asked to resume, but the room is not open; told to join again", claims.room(),
                    claims.identity());
            try {
                RtcEndpoint.refuseResume(ws);
            } catch (java.io.IOException e) {
                ws.abort();
            }
            return;
        }
        room.resume(ws, claims, reconnectReason);
    }

    private LocalRoom newRoom(String name, TokenClaims creator) {
        List<AgentRequest> agents = creator.agents().stream()
                .map(a -> new AgentRequest(a.agentName(), a.metadata())).toList();
        return newRoom(name, agents, creator.identity());
    }

    /**
     * What CreateRoom may set on a new room; 0 and "" keep the server's defaults (RoomSettings). Like the
     * real server: the timeouts are in seconds and govern when the room closes; the metadata is the room's.
     */
    public record RoomOptions(int emptyTimeoutSeconds, int departureTimeoutSeconds, String metadata) {
        public static final RoomOptions DEFAULTS = new RoomOptions(0, 0, "");
    }

    /** RoomService.CreateRoom: the room, opened now (it closes after the empty timeout if nobody joins). */
    public LivekitModels.Room createRoom(String name, List<AgentRequest> agents) {
        return createRoom(name, agents, RoomOptions.DEFAULTS);
    }

    /** RoomService.CreateRoom with the request's settings; an open room is returned unchanged. */
    public LivekitModels.Room createRoom(String name, List<AgentRequest> agents, RoomOptions options) {
        return rooms.compute(name, (n, existing) -> existing != null && !existing.isClosed()
                ? existing : newRoom(n, agents, "RoomService", options)).info();
    }

    private LocalRoom newRoom(String name, List<AgentRequest> agents, String openedBy) {
        return newRoom(name, agents, openedBy, RoomOptions.DEFAULTS);
    }

    private LocalRoom newRoom(String name, List<AgentRequest> agents, String openedBy, RoomOptions options) {
        LivekitModels.Room proto = agentSide.roomCreated(name, agents);
        io.lkworker.localserver.RoomSettings defaults = config.rooms();
        io.lkworker.localserver.RoomSettings settings = new io.lkworker.localserver.RoomSettings(
                options.departureTimeoutSeconds() > 0
                        ? java.time.Duration.ofSeconds(options.departureTimeoutSeconds()) : defaults.departureTimeout(),
                options.emptyTimeoutSeconds() > 0
                        ? java.time.Duration.ofSeconds(options.emptyTimeoutSeconds()) : defaults.emptyTimeout());
        LivekitModels.Room.Builder b = proto.toBuilder();
        if (options.emptyTimeoutSeconds() > 0) {
            b.setEmptyTimeout(options.emptyTimeoutSeconds());
        }
        if (options.departureTimeoutSeconds() > 0) {
            b.setDepartureTimeout(options.departureTimeoutSeconds());
        }
        if (!options.metadata().isEmpty()) {
            b.setMetadata(options.metadata());
        }
        proto = b.build();
        log.info("room '{}' opened by {} ({})", name, openedBy, proto.getSid());
        return new LocalRoom(proto, config, settings, gate, new LocalRoom.Host() {
            @Override
            public void roomClosed(LocalRoom room, DisconnectReason reason, Set<String> present) {
                rooms.remove(room.name(), room);
                agentSide.roomClosed(room.name(), reason, present);
            }

            @Override
            public LivekitModels.ServerInfo serverInfo() {
                return serverInfo;
            }
        });
    }

    // ---- RoomService operations (any thread) -------------------------------------------------------

    /** Open rooms, by name order of creation. */
    public List<LivekitModels.Room> rooms() {
        List<LivekitModels.Room> out = new ArrayList<>();
        rooms.values().stream().filter(r -> !r.isClosed()).forEach(r -> out.add(r.info()));
        return out;
    }

    public Optional<LivekitModels.Room> room(String name) {
        LocalRoom r = rooms.get(name);
        return r == null || r.isClosed() ? Optional.empty() : Optional.of(r.info());
    }

    /** The room's participants, or empty if there is no such room. */
    public Optional<List<ParticipantInfo>> participants(String room) {
        LocalRoom r = rooms.get(room);
        return r == null || r.isClosed() ? Optional.empty() : Optional.of(r.participants());
    }

    /** What the participant's client said about itself when it joined (SDK, version, protocol), if it is in the room. */
    public Optional<LivekitModels.ClientInfo> clientInfo(String room, String identity) {
        LocalRoom r = rooms.get(room);
        return r == null || r.isClosed() ? Optional.empty() : Optional.ofNullable(r.clients().get(identity));
    }

    /** Removes the participant (it is told PARTICIPANT_REMOVED); false if there is no such room or participant. */
    public boolean removeParticipant(String room, String identity) {
        LocalRoom r = rooms.get(room);
        if (r == null) {
            return false;
        }
        try {
            return r.call(() -> r.removeParticipant(identity));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** RoomService.MutePublishedTrack: the track as muted or unmuted, empty if there is no such room, participant or track. */
    public Optional<livekit.LivekitModels.TrackInfo> mutePublishedTrack(String room, String identity, String trackSid,
                                                                       boolean muted) {
        LocalRoom r = rooms.get(room);
        if (r == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(r.call(() -> r.mutePublishedTrack(identity, trackSid, muted)));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes the room: every participant is told ROOM_DELETED and removed, and the agent side ends the
     * room's jobs. True if the room was open.
     */
    public boolean deleteRoom(String name) {
        LocalRoom r = rooms.get(name);
        if (r != null && !r.isClosed()) {
            try {
                r.call(() -> r.close(DisconnectReason.ROOM_DELETED));
                return true;
            } catch (IllegalStateException e) {
                // closed meanwhile: its close already told the agent side
                return false;
            }
        }
        // A room only the agent side knows (a dispatch whose agent never joined): end its jobs.
        agentSide.roomClosed(name, DisconnectReason.ROOM_DELETED, Set.of());
        return false;
    }

    // ---- test hooks and fault drills (any thread) -------------------------------------------------------

    /** See {@link LocalRoom#sendLeave}; false if there is no such room or participant. */
    public boolean sendLeave(String room, String identity, LivekitRtc.LeaveRequest.Action action) {
        return onRoom(room, r -> r.sendLeave(identity, action)).orElse(false);
    }

    /** Cuts the participant's signalling TCP connection without a close frame; false if none is up. */
    public boolean dropSignalling(String room, String identity) {
        return onRoom(room, r -> r.dropSignalling(identity)).orElse(false);
    }

    /** The participant's signalling state, if it is in the room. */
    public Optional<SignallingState> signallingState(String room, String identity) {
        return onRoom(room, r -> r.signallingState(identity)).flatMap(o -> o);
    }

    private <T> Optional<T> onRoom(String room, java.util.function.Function<LocalRoom, T> action) {
        LocalRoom r = rooms.get(room);
        if (r == null || r.isClosed()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(r.call(() -> action.apply(r)));
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** RoomService.SendData: a message from the server to everyone in the room, or to the destinations. */
    public boolean sendData(String room, byte[] payload, String topic, List<String> destinations, boolean reliable) {
        LocalRoom r = rooms.get(room);
        if (r == null || r.isClosed()) {
            return false;
        }
        r.executor().execute(() -> r.sendData(payload, topic, destinations, reliable));
        return true;
    }

    /**
     * Closing the server waits this long at most for the participants' leaves (SERVER_SHUTDOWN) to be
     * written before the front end cuts every socket, so clients do not try to resume a server that is
     * gone. Writing a small frame to a client that reads takes milliseconds.
     */
    static final java.time.Duration SHUTDOWN_FLUSH = java.time.Duration.ofSeconds(1);

    /** Closes every room (SERVER_SHUTDOWN) and refuses new joins. */
    @Override
    public void close() {
        closed = true;
        List<SignalLink> closing = new ArrayList<>();
        for (LocalRoom r : List.copyOf(rooms.values())) {
            try {
                closing.addAll(r.call(() -> r.close(DisconnectReason.SERVER_SHUTDOWN)));
            } catch (RuntimeException e) {
                log.debug("closing room '{}': {}", r.name(), e.toString());
            }
        }
        long deadline = System.nanoTime() + SHUTDOWN_FLUSH.toNanos();
        try {
            for (SignalLink link : closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !link.awaitEnded(java.time.Duration.ofNanos(left))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
