package io.lkworker.dev;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import livekit.LivekitAgent.SimulateJobRequest;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitModels.Room;
import livekit.LivekitModels.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LiveKit-protocol server for the agent side: the {@code /agent} WebSocket endpoint, the health
 * check and the AgentDispatchService Twirp API, speaking the real protocol with the official
 * message classes (protocol.md §1, §3, §4). Integration tests drive the daemon against it, and
 * {@code lk-worker dev} embeds it when no LiveKit URL is configured.
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
    private final WorkerRegistry registry = new WorkerRegistry();
    /** Every upgraded connection, registered or not (closeAllAbruptly reaches them all). */
    private final Set<WorkerSession> sessions = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService io;
    private final AgentDispatcher dispatcher;
    private final DispatchManager dispatches;
    private final AgentEndpoint agentEndpoint;
    private final HttpFrontend frontend;
    private final ServerInfo serverInfo;
    private volatile boolean closed;

    public LocalLiveKitServer(ServerConfig config) {
        this.config = config;
        this.serverInfo = ServerInfo.newBuilder()
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
        this.dispatcher = new AgentDispatcher(config, registry, this::room, timer, io,
                outcome -> events.fire(l -> l.onJobOutcome(outcome)));
        this.dispatches = new DispatchManager(config, dispatcher, this::terminateJob);
        this.agentEndpoint = new AgentEndpoint(auth, config, events, this::newSession);
        this.frontend = new HttpFrontend(config, agentEndpoint, new TwirpDispatchService(config, auth, dispatches, registry));
    }

    /** A server with {@code config}, not started yet. */
    public static LocalLiveKitServer create(ServerConfig config) {
        return new LocalLiveKitServer(config);
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
        frontend.close();
        sessions.forEach(s -> s.close(Close.ABRUPT));
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
        return List.copyOf(registry.all());
    }

    public Optional<WorkerHandle> worker(String workerId) {
        return registry.find(workerId).map(w -> w);
    }

    /** The first connected registered worker, waiting for one to register. */
    public WorkerHandle awaitWorker(Duration timeout) {
        return awaitWorker(w -> true, timeout);
    }

    /** The first connected registered worker matching {@code filter} (e.g. a new id after a reconnect). */
    public WorkerHandle awaitWorker(Predicate<WorkerHandle> filter, Duration timeout) {
        return events.await(() -> registry.all().stream()
                .filter(WorkerSession::isOpen).<WorkerHandle>map(w -> w).filter(filter).findFirst(),
                timeout, "a registered worker");
    }

    /** Closes the connection of {@code workerId} (registered or not). False if no such open connection. */
    public boolean closeWorker(String workerId, Close how) {
        Optional<WorkerSession> session = sessions.stream().filter(s -> s.workerId().equals(workerId)).findFirst();
        session.ifPresent(s -> s.close(how));
        return session.isPresent();
    }

    /** Drops every worker connection without a close frame (a forced drain). Returns how many. */
    public int closeAllAbruptly() {
        List<WorkerSession> all = List.copyOf(sessions);
        all.forEach(s -> s.close(Close.ABRUPT));
        return all.size();
    }

    /** Refuse every /agent upgrade with {@code status} and a text body (e.g. 503) until {@link #acceptUpgrades()}. */
    public void refuseUpgrades(int status, String body) {
        agentEndpoint.refuseUpgrades(status, body);
    }

    public void acceptUpgrades() {
        agentEndpoint.acceptUpgrades();
    }

    // ---- jobs, rooms, dispatches -------------------------------------------------------------

    /** Offers a job (§3.5–3.6). The job id is known at once; the outcome completes later. */
    public JobOffer offerJob(JobSpec spec) {
        return dispatcher.offer(spec);
    }

    /** Sends JobTermination to the worker running {@code jobId}; false if no connected worker runs it. */
    public boolean terminateJob(String jobId) {
        return registry.all().stream().anyMatch(w -> w.terminate(jobId));
    }

    /** When on, accepted jobs get no JobAssignment (outcome WITHHELD), to test the worker's assignment timeout. */
    public void setWithholdAssignments(boolean withhold) {
        dispatcher.setWithholdAssignments(withhold);
    }

    /** Same as the Twirp CreateDispatch: creates the room if missing and launches the JT_ROOM job. */
    public AgentDispatch createDispatch(String room, String agentName, String metadata) {
        return dispatches.create(room, agentName, metadata);
    }

    /** Same as the Twirp DeleteDispatch; false for an unknown id. */
    public boolean deleteDispatch(String room, String dispatchId) {
        try {
            dispatches.delete(room, dispatchId);
            return true;
        } catch (DispatchManager.NotFoundException e) {
            return false;
        }
    }

    /** The room's dispatches with the jobs assigned for them. */
    public List<AgentDispatch> dispatches(String room) {
        return dispatches.list(room, "");
    }

    /**
     * Creates a room as a participant's join would, with LiveKit's default dispatch (agent name "",
     * automatic dispatch), which launches a JT_ROOM job. Returns the existing room unchanged if any.
     */
    public Room createRoom(String name) {
        return dispatches.createWithDefaultDispatch(name);
    }

    /** The room's snapshot, creating it (without any dispatch) if needed. */
    public Room room(String name) {
        return dispatches.room(name);
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

    private WorkerSession newSession(long connectionId, ApiKeyAuth.Grant grant, WebSocketConnection ws) {
        WorkerSession session = new WorkerSession(connectionId, Ids.next(Ids.WORKER), grant, ws, config, serverInfo,
                timer, io, new SessionEvents());
        sessions.add(session);
        if (closed) {
            ws.abort(); // lost the race with close(); the session's first read fails at once
        }
        return session;
    }

    /** Connects sessions to the registry, the recording and the dispatch side. Runs on connection threads. */
    private final class SessionEvents implements WorkerSession.Listener {
        @Override
        public void onReceived(WorkerSession session, WorkerMessage message, Instant at) {
            events.recordMessage(new ReceivedMessage(session.connectionId(), session.workerId(), at, message));
        }

        @Override
        public void onJoiningPool(WorkerSession session) {
            registry.add(session);
        }

        @Override
        public void onRegistered(WorkerSession session) {
            events.changed();
            events.fire(l -> l.onWorkerRegistered(session));
            dispatches.workerRegistered(session);
        }

        @Override
        public void onSimulateJob(WorkerSession session, SimulateJobRequest request) {
            dispatcher.simulate(session, request);
        }

        @Override
        public void onClosed(WorkerSession session) {
            sessions.remove(session);
            boolean wasRegistered = registry.remove(session);
            events.changed();
            if (wasRegistered) {
                log.info("{} disconnected", session);
                events.fire(l -> l.onWorkerDisconnected(session));
            }
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
