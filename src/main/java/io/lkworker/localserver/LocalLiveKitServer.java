package io.lkworker.localserver;

import io.lkworker.localserver.agent.AgentService;
import io.lkworker.localserver.agent.JobOffer;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.localserver.agent.WorkerHandle;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.Close;
import io.lkworker.localserver.http.HttpFrontend;
import io.lkworker.localserver.http.HttpResponses;
import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.Route;
import io.lkworker.localserver.room.RoomServer;
import io.lkworker.localserver.room.SignallingState;
import io.lkworker.localserver.twirp.TwirpDispatchService;
import io.lkworker.localserver.twirp.TwirpRoomService;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.ServerInfo;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LiveKit-protocol server for the agent side: the {@code /agent} WebSocket endpoint, the health
 * check and the AgentDispatchService Twirp API, speaking the real protocol with the official
 * message classes (livekit/protocol livekit_agent.proto, livekit_rtc.proto), plus the rooms
 * ({@code /rtc}) of {@link RoomServer}. Integration tests drive the daemon against it, and
 * {@code lk-worker dev} embeds it when no LiveKit URL is configured.
 *
 * <p>The facade wires the parts: the {@link HttpFrontend} with its routes, the agent side
 * ({@link AgentService}), the Twirp services, and the recording of what happened ({@link EventLog}).
 *
 * <p>Threads: one accept thread and one thread per TCP connection ({@link HttpFrontend}: HTTP
 * parsing, then for {@code /agent} the worker session's reads); an io pool for work that must not
 * block the thread that triggered it (offer steps, pings, closing handshakes); one timer thread
 * that only expires deadlines. All threads are daemons. The control methods are thread-safe.
 */
public final class LocalLiveKitServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalLiveKitServer.class);

    /** What the real server reports in ServerInfo (version.Version, signalling protocol, agent protocol). */
    static final String SERVER_VERSION = "1.13.5";
    static final int SIGNAL_PROTOCOL = 17;
    static final int AGENT_PROTOCOL = 1;

    private final ServerConfig config;
    private final String nodeId = Ids.next(Ids.NODE);
    private final EventLog events = new EventLog();
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService io;
    private final AgentService agents;
    private final RoomServer rooms;
    private final HttpFrontend frontend;
    /** Holds room signalling and new HTTP connections while the server is {@link #pause() paused}. */
    private final PauseGate gate = new PauseGate();
    private volatile boolean closed;

    public LocalLiveKitServer(ServerConfig config) {
        this(config, List.of());
    }

    /**
     * A server that also serves {@code extraRoutes} (the embedder's own pages, e.g. {@code lk-worker
     * dev}'s playground). They are matched after LiveKit's routes, so they cannot shadow them, and
     * before the health check on {@code /}: an exact {@code /} route among them takes {@code /} over
     * (and should still answer health checkers).
     */
    public LocalLiveKitServer(ServerConfig config, List<Route> extraRoutes) {
        this.config = config;
        ServerInfo serverInfo = ServerInfo.newBuilder()
                .setEdition(ServerInfo.Edition.Standard)
                .setVersion(SERVER_VERSION)
                .setProtocol(SIGNAL_PROTOCOL)
                .setAgentProtocol(AGENT_PROTOCOL)
                .setRegion(config.region())
                .setNodeId(nodeId)
                .build();
        // Neither executor starts a thread before its first task; after close() new tasks are dropped.
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("lk-dev-server-timer"),
                new ThreadPoolExecutor.DiscardPolicy());
        this.timer.setRemoveOnCancelPolicy(true);
        this.io = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("lk-dev-server-io"), new ThreadPoolExecutor.DiscardPolicy());
        ApiKeyAuth auth = new ApiKeyAuth(config.apiKeys(), config.clock());
        this.agents = new AgentService(config, auth, serverInfo, timer, io, new Recording());
        this.rooms = new RoomServer(config, auth, serverInfo, new RoomServer.AgentSide() {
            @Override
            public Room roomCreated(String name, List<RoomServer.AgentRequest> requested) {
                Map<String, String> byName = new LinkedHashMap<>();
                requested.forEach(a -> byName.put(a.agentName(), a.metadata()));
                return agents.roomOpened(name, byName);
            }

            @Override
            public void roomClosed(String name, DisconnectReason reason, Set<String> present) {
                agents.roomClosed(name, present);
            }
        }, gate);
        List<Route> routes = new ArrayList<>();
        routes.add(agents.route());
        routes.add(new TwirpDispatchService(config, auth, agents).route());
        routes.add(new TwirpRoomService(config, auth, rooms, agents).route());
        routes.addAll(rooms.routes());
        routes.addAll(extraRoutes);
        // the real server's health check
        routes.add(Route.exact("/", exchange -> HttpResponses.text(exchange.out(), 200, "OK")));
        this.frontend = new HttpFrontend(config.host(), config.port(), routes, gate);
    }

    /** A server with {@code config}, not started yet. */
    public static LocalLiveKitServer create(ServerConfig config) {
        return new LocalLiveKitServer(config);
    }

    /** A server with {@code config} and the embedder's {@code extraRoutes}, not started yet. */
    public static LocalLiveKitServer create(ServerConfig config, List<Route> extraRoutes) {
        return new LocalLiveKitServer(config, extraRoutes);
    }

    /** Binds and starts accepting. Returns this, for {@code create(config).start()}. */
    public synchronized LocalLiveKitServer start() throws IOException {
        if (closed || frontend.started()) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        frontend.start();
        log.info("LiveKit dev server listening on {} (node {})", url(), nodeId);
        return this;
    }

    /** Stops accepting, drops every connection abruptly and stops the server's threads. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        gate.open();
        rooms.close();
        frontend.close();
        agents.close();
        timer.shutdownNow();
        io.shutdownNow();
        log.info("LiveKit dev server stopped");
    }

    public ServerConfig config() {
        return config;
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public int port() {
        return frontend.port();
    }

    /** {@code ws://host:port}: what a worker is configured with (it appends {@code /agent}). */
    public String url() {
        return "ws://" + hostForUrl() + ":" + port();
    }

    /** {@code http://host:port}: base URL of the Twirp API and the health check. */
    public String httpUrl() {
        return "http://" + hostForUrl() + ":" + port();
    }

    public String nodeId() {
        return nodeId;
    }

    // ---- workers ------------------------------------------------------------------------------

    /** Registered workers whose connection is open, in registration order. */
    public List<WorkerHandle> workers() {
        return agents.workers();
    }

    public Optional<WorkerHandle> worker(String workerId) {
        return agents.worker(workerId);
    }

    /** The first connected registered worker, waiting for one to register. */
    public WorkerHandle awaitWorker(Duration timeout) {
        return awaitWorker(w -> true, timeout);
    }

    /** The first connected registered worker matching {@code filter} (e.g. a new id after a reconnect). */
    public WorkerHandle awaitWorker(Predicate<WorkerHandle> filter, Duration timeout) {
        return events.await(() -> agents.workers().stream().filter(WorkerHandle::isOpen).filter(filter).findFirst(),
                timeout, "a registered worker");
    }

    /** Closes the connection of {@code workerId} (registered or not). False if no such open connection. */
    public boolean closeWorker(String workerId, Close how) {
        return agents.closeWorker(workerId, how);
    }

    /** Drops every worker connection without a close frame (a forced drain). Returns how many. */
    public int closeAllAbruptly() {
        return agents.closeAllAbruptly();
    }

    /** Refuse every /agent upgrade with {@code status} and a text body (e.g. 503) until {@link #acceptUpgrades()}. */
    public void refuseUpgrades(int status, String body) {
        agents.refuseUpgrades(status, body);
    }

    public void acceptUpgrades() {
        agents.acceptUpgrades();
    }

    // ---- jobs, rooms, dispatches -------------------------------------------------------------

    /** Offers a job (AvailabilityRequest, then JobAssignment). The job id is known at once; the outcome completes later. */
    public JobOffer offerJob(JobSpec spec) {
        return agents.offerJob(spec);
    }

    /** Sends JobTermination to the worker running {@code jobId}; false if no connected worker runs it. */
    public boolean terminateJob(String jobId) {
        return agents.terminateJob(jobId);
    }

    /** When on, accepted jobs get no JobAssignment (outcome WITHHELD), to test the worker's assignment timeout. */
    public void setWithholdAssignments(boolean withhold) {
        agents.setWithholdAssignments(withhold);
    }

    /** Same as the Twirp CreateDispatch: creates the room if missing and launches the JT_ROOM job. */
    public AgentDispatch createDispatch(String room, String agentName, String metadata) {
        return agents.createDispatch(room, agentName, metadata);
    }

    /** Same as the Twirp DeleteDispatch; false for an unknown id. */
    public boolean deleteDispatch(String room, String dispatchId) {
        return agents.deleteDispatch(room, dispatchId).isPresent();
    }

    /** The room's dispatches with the jobs assigned for them. */
    public List<AgentDispatch> dispatches(String room) {
        return agents.dispatches(room, "");
    }

    /**
     * Creates a room as a participant's join would, with LiveKit's default dispatch (agent name "",
     * automatic dispatch), which launches a JT_ROOM job. Returns the existing room unchanged if any.
     */
    public Room createRoom(String name) {
        return agents.createRoom(name);
    }

    /** The room's snapshot, creating it (without any dispatch) if needed. */
    public Room room(String name) {
        return agents.room(name);
    }

    // ---- rooms (signalling and media) -----------------------------------------------------------

    /** Rooms open now (a participant joined, or CreateRoom made them). */
    public List<Room> openRooms() {
        return rooms.rooms();
    }

    /** The room's participants as the server knows them, or empty for a room that is not open. */
    public Optional<List<ParticipantInfo>> participants(String room) {
        return rooms.participants(room);
    }

    /** Same as RoomService.RemoveParticipant; false if there is no such participant. */
    public boolean removeParticipant(String room, String identity) {
        return rooms.removeParticipant(room, identity);
    }

    /** RoomService.MutePublishedTrack: mutes or unmutes a participant's track from the server side. */
    public Optional<livekit.LivekitModels.TrackInfo> mutePublishedTrack(String room, String identity, String trackSid,
                                                                       boolean muted) {
        return rooms.mutePublishedTrack(room, identity, trackSid, muted);
    }

    /** Same as RoomService.DeleteRoom: everyone is told ROOM_DELETED, jobs of absent agents are terminated. */
    public boolean deleteRoom(String room) {
        return rooms.deleteRoom(room);
    }

    /** What a participant's client said about itself when it joined (SDK, version, protocol), while it is in the room. */
    public Optional<livekit.LivekitModels.ClientInfo> clientInfo(String room, String identity) {
        return rooms.clientInfo(room, identity);
    }

    // ---- fault drills (for tests) -----------------------------------------------------------------

    /**
     * For tests and fault drills: sends the participant {@code Leave{action}}. RESUME: the leave, then its
     * signalling is closed and the participant kept for its resume (removed if none comes within the ping
     * timeout). RECONNECT: the leave, then the participant is removed (its client joins afresh).
     * DISCONNECT: the same as {@link #removeParticipant}. False if there is no such participant.
     */
    public boolean sendLeave(String room, String identity, LivekitRtc.LeaveRequest.Action action) {
        return rooms.sendLeave(room, identity, action);
    }

    /**
     * For tests and fault drills: cuts the participant's signalling TCP connection without a close
     * frame, like a network cut. The participant stays and may resume. False if no signalling is up.
     */
    public boolean dropSignalling(String room, String identity) {
        return rooms.dropSignalling(room, identity);
    }

    /**
     * For tests and fault drills: the server stops answering, like a SIGSTOPped process, without closing
     * anything. While paused no room signalling frame is read or written for any participant, and new
     * HTTP connections (any path) are accepted by the kernel but not answered; ping timeouts and write
     * timeouts are not counted. Media and data channels keep flowing, and {@code /agent} connections
     * already open are not held. {@link #resume()} releases everything held.
     */
    public void pause() {
        log.info("LiveKit dev server paused (signalling and new connections held)");
        gate.pause();
    }

    /** Ends {@link #pause()}: held frames and connections proceed; silence while paused is forgiven. */
    public void resume() {
        gate.open();
        log.info("LiveKit dev server resumed");
    }

    public boolean isPaused() {
        return gate.isPaused();
    }

    /** For tests: the participant's signalling (up or not, connections, resumes), while it is in the room. */
    public Optional<SignallingState> signallingState(String room, String identity) {
        return rooms.signallingState(room, identity);
    }

    // ---- recording ---------------------------------------------------------------------------

    /** Every WorkerMessage received so far, in arrival order. */
    public List<ReceivedMessage> messages() {
        return events.messages();
    }

    /** The first message ever received (not only from now on) that matches; waits for one if none has. */
    public ReceivedMessage awaitMessage(Predicate<WorkerMessage> filter, Duration timeout) {
        return awaitReceived(m -> filter.test(m.message()), timeout);
    }

    public ReceivedMessage awaitReceived(Predicate<ReceivedMessage> filter, Duration timeout) {
        return events.await(() -> events.messages().stream().filter(filter).findFirst(), timeout,
                "a matching WorkerMessage");
    }

    /** UpdateJobStatus messages for {@code jobId} from any connection, in arrival order. */
    public List<UpdateJobStatus> jobUpdates(String jobId) {
        return events.messages().stream()
                .map(ReceivedMessage::message)
                .filter(WorkerMessage::hasUpdateJob)
                .map(WorkerMessage::getUpdateJob)
                .filter(u -> u.getJobId().equals(jobId))
                .toList();
    }

    /** Every request to /agent with its answer status (101 = upgraded), in arrival order. */
    public List<ConnectionAttempt> connectionAttempts() {
        return events.attempts();
    }

    public ConnectionAttempt awaitConnectionAttempt(Predicate<ConnectionAttempt> filter, Duration timeout) {
        return events.await(() -> events.attempts().stream().filter(filter).findFirst(), timeout,
                "a matching /agent request");
    }

    public void addListener(ServerListener listener) {
        events.addListener(listener);
    }

    public void removeListener(ServerListener listener) {
        events.removeListener(listener);
    }

    /** Records what the agent side reports and tells the listeners. */
    private final class Recording implements AgentService.Events {
        @Override
        public void connectionAttempt(ConnectionAttempt attempt) {
            events.recordAttempt(attempt);
        }

        @Override
        public void messageReceived(ReceivedMessage message) {
            events.recordMessage(message);
        }

        @Override
        public void workerRegistered(WorkerHandle worker) {
            events.changed();
            events.fire(l -> l.onWorkerRegistered(worker));
        }

        @Override
        public void connectionClosed(WorkerHandle worker, boolean wasRegistered) {
            events.changed();
            if (wasRegistered) {
                events.fire(l -> l.onWorkerDisconnected(worker));
            }
        }

        @Override
        public void jobOutcome(OfferOutcome outcome) {
            events.fire(l -> l.onJobOutcome(outcome));
        }
    }

    private String hostForUrl() {
        String host = config.host();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
