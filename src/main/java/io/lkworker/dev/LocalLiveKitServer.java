package io.lkworker.dev;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Threads: one accept thread; one thread per TCP connection (HTTP parsing, then for
 * {@code /agent} the worker session's reads); an io pool for writes that must not block the
 * thread that triggered them (offers, pings, closing handshakes); one timer thread that only
 * expires deadlines. All threads are daemons. The control methods below are thread-safe.
 */
public final class LocalLiveKitServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalLiveKitServer.class);

    /** What the real server reports in ServerInfo (version.Version, signalling protocol, agent protocol). */
    static final String SERVER_VERSION = "1.13.5";
    static final int SIGNAL_PROTOCOL = 17;
    static final int AGENT_PROTOCOL = 1;
    /** A client that opens a socket and sends no request line in this time is dropped. */
    static final Duration HTTP_HEAD_TIMEOUT = Duration.ofSeconds(10);

    private final ServerConfig config;
    private final String nodeId = Ids.next(Ids.NODE);
    private final EventLog events = new EventLog();
    private final WorkerRegistry registry = new WorkerRegistry();
    /** Every upgraded connection, registered or not (closeAllAbruptly reaches them all). */
    private final Set<WorkerSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService io;
    private final AgentDispatcher dispatcher;
    private final DispatchManager dispatches;
    private final TwirpDispatchService twirp;
    private final AgentEndpoint agentEndpoint;
    private final ServerInfo serverInfo;

    private ServerSocket serverSocket;
    private Thread acceptThread;
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
        this.twirp = new TwirpDispatchService(auth, dispatches);
        this.agentEndpoint = new AgentEndpoint(auth, config, events, this::newSession);
    }

    /** A server with {@code config}, not started yet. */
    public static LocalLiveKitServer create(ServerConfig config) {
        return new LocalLiveKitServer(config);
    }

    /** Binds and starts accepting. Returns this, for {@code create(config).start()}. */
    public synchronized LocalLiveKitServer start() throws IOException {
        if (serverSocket != null) {
            throw new IllegalStateException("already started");
        }
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true); // dev mode restarts on the fixed port 7880
        socket.bind(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()));
        serverSocket = socket;
        acceptThread = new Thread(this::acceptLoop, "lk-dev-server-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
        log.info("LiveKit dev server listening on {} (node {})", url(), nodeId);
        return this;
    }

    /** Stops accepting, drops every connection abruptly and stops the server's threads. */
    @Override
    public void close() {
        Thread accept;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            accept = acceptThread;
            try {
                if (serverSocket != null) {
                    serverSocket.close();
                }
            } catch (IOException e) {
                log.debug("closing the listening socket: {}", e.toString());
            }
        }
        sessions.forEach(s -> s.close(Close.ABRUPT));
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        timer.shutdownNow();
        io.shutdownNow();
        if (accept != null) {
            try {
                accept.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.info("LiveKit dev server stopped");
    }

    public ServerConfig config() {
        return config;
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public synchronized int port() {
        if (serverSocket == null) {
            throw new IllegalStateException("not started");
        }
        return serverSocket.getLocalPort();
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

    // ---- connections -------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed, dev server stops accepting: {}", e.toString());
                }
                return;
            }
            long id = connectionIds.incrementAndGet();
            sockets.add(socket);
            if (closed) {
                closeQuietly(socket);
                return;
            }
            Thread t = new Thread(() -> serve(id, socket), "lk-dev-server-conn-" + id);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Owns the socket for its whole life; for /agent it becomes the session's reader. */
    private void serve(long id, Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) HTTP_HEAD_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            Optional<HttpRequest> request;
            try {
                request = HttpRequest.read(in);
            } catch (HttpRequest.BadRequestException e) {
                log.info("connection {}: bad request: {}", id, e.getMessage());
                HttpResponses.text(out, 400, "Bad Request");
                return;
            }
            if (request.isPresent()) {
                route(id, request.get(), socket, in, out);
            }
        } catch (SocketTimeoutException e) {
            log.debug("connection {}: no complete request within {}", id, HTTP_HEAD_TIMEOUT);
        } catch (IOException e) {
            log.debug("connection {}: {}", id, e.toString());
        } catch (RuntimeException e) {
            log.error("connection {}: unexpected failure", id, e);
        } finally {
            sockets.remove(socket);
        }
    }

    private void route(long id, HttpRequest req, Socket socket, InputStream in, OutputStream out) throws IOException {
        String path = req.path();
        if (path.startsWith("//")) {
            path = path.substring(1); // LiveKit's middleware strips one leading slash
        }
        log.debug("connection {}: {} {}", id, req.method(), path);
        if (path.equals(AgentEndpoint.PATH)) {
            agentEndpoint.handle(id, req, socket, in, out);
        } else if (path.startsWith(TwirpDispatchService.PREFIX)) {
            twirp.handle(req, path, out);
        } else if (path.equals("/")) {
            HttpResponses.text(out, 200, "OK");
        } else {
            HttpResponses.text(out, 404, "404 page not found\n");
        }
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
        public void onRegistered(WorkerSession session) {
            registry.add(session);
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

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
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
