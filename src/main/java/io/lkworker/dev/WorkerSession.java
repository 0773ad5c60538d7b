package io.lkworker.dev;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobAssignment;
import livekit.LivekitAgent.JobState;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.JobTermination;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPong;
import livekit.LivekitAgent.WorkerStatus;
import livekit.LivekitModels.ParticipantPermission;
import livekit.LivekitModels.ServerInfo;
import io.lkworker.loop.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent protocol on one upgraded connection (protocol.md §3.1–3.12): AWAIT_REGISTER →
 * REGISTERED → CLOSED, worker status/load, pending availability answers and running jobs.
 *
 * <p>Threads: the connection thread runs {@link #run()} (all reads and all cleanup happen there);
 * dispatch threads and control-API callers use the other methods. Mutable state is guarded by
 * {@code this}; nothing is sent while holding the monitor, so a slow socket never blocks readers
 * of the state. The shared timer only flips deadlines and hands writes to the io executor.
 */
final class WorkerSession implements WorkerHandle {

    private static final Logger log = LoggerFactory.getLogger(WorkerSession.class);

    /** How long a server-initiated closing handshake may take before the socket is dropped (wsprotocol.go: 5 s). */
    static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    private static final int DEPLOYMENT_FIELD_NUMBER = 9;
    private static final int MAX_DEPLOYMENT_BYTES = 64;

    enum Phase { AWAIT_REGISTER, REGISTERED, CLOSED }

    /** What the session tells its server about. Called on the connection thread. */
    interface Listener {
        void onReceived(WorkerSession session, WorkerMessage message, Instant at);

        void onRegistered(WorkerSession session);

        void onSimulateJob(WorkerSession session, livekit.LivekitAgent.SimulateJobRequest request);

        void onClosed(WorkerSession session);
    }

    /** The worker's connection ended before it answered; the dispatcher retries elsewhere. */
    static final class WorkerClosedException extends IOException {
        WorkerClosedException() {
            super("worker closed");
        }
    }

    private final long connectionId;
    private final String workerId;
    private final String apiKey;
    private final String apiSecret;
    private final WebSocketConnection ws;
    private final ServerConfig config;
    private final ServerInfo serverInfo;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final Listener listener;
    private final Clock clock;
    private final String name;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Phase phase = Phase.AWAIT_REGISTER;
    private RegisterWorkerRequest registration = RegisterWorkerRequest.getDefaultInstance();
    private String deployment = "";
    private WorkerStatus status = WorkerStatus.WS_AVAILABLE;
    private float load;
    private final Map<String, CompletableFuture<AvailabilityResponse>> pending = new HashMap<>();
    private final Map<String, Job> running = new LinkedHashMap<>();
    private final List<String> migrated = new ArrayList<>();
    private ScheduledFuture<?> registerDeadline;
    private ScheduledFuture<?> pinger;
    /** Switched by the kind of the last data frame, like the real server's JSON mode (§1.5). */
    private volatile boolean jsonMode;

    WorkerSession(long connectionId, String workerId, ApiKeyAuth.Grant grant, WebSocketConnection ws,
            ServerConfig config, ServerInfo serverInfo, ScheduledExecutorService timer, Executor io,
            Listener listener) {
        this.connectionId = connectionId;
        this.workerId = workerId;
        this.apiKey = grant.apiKey();
        this.apiSecret = grant.secret();
        this.ws = ws;
        this.config = config;
        this.serverInfo = serverInfo;
        this.timer = timer;
        this.io = io;
        this.listener = listener;
        this.clock = config.clock();
        this.name = "connection " + connectionId + " (" + workerId + ")";
    }

    /** Runs the connection until it ends; on the connection thread. */
    void run() {
        synchronized (this) {
            // The real server sets a read deadline of RegisterTimeout; a worker that connects and
            // says nothing must not hold a connection forever.
            registerDeadline = timer.schedule(this::registerDeadlinePassed,
                    config.registerTimeout().toMillis(), TimeUnit.MILLISECONDS);
            long ping = config.wsPingInterval().toMillis();
            pinger = timer.scheduleAtFixedRate(() -> io.execute(this::sendPing), ping, ping, TimeUnit.MILLISECONDS);
        }
        try {
            while (true) {
                WebSocketConnection.Message frame = ws.read();
                if (frame == null) {
                    log.info("{}: closed by the worker", name);
                    break;
                }
                handle(decode(frame));
            }
        } catch (WebSocketConnection.ProtocolViolation e) {
            log.warn("{}: protocol violation, closing abruptly: {}", name, e.getMessage());
        } catch (IOException e) {
            if (ws.isOpen()) {
                log.info("{}: connection lost: {}", name, e.toString());
            } else {
                log.debug("{}: socket closed: {}", name, e.toString());
            }
        } finally {
            finish();
        }
    }

    private WorkerMessage decode(WebSocketConnection.Message frame) throws WebSocketConnection.ProtocolViolation {
        try {
            if (!frame.text()) {
                jsonMode = false;
                return WorkerMessage.parseFrom(frame.payload());
            }
            WorkerMessage.Builder b = WorkerMessage.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(new String(frame.payload(), StandardCharsets.UTF_8), b);
            log.debug("{}: text frame parsed as protojson; replying in JSON from now on", name);
            jsonMode = true;
            return b.build();
        } catch (InvalidProtocolBufferException e) {
            throw new WebSocketConnection.ProtocolViolation("undecodable WorkerMessage: " + e.getMessage());
        }
    }

    private void handle(WorkerMessage msg) throws WebSocketConnection.ProtocolViolation {
        listener.onReceived(this, msg, Instant.ofEpochMilli(clock.wallMillis()));
        WorkerMessage.MessageCase kind = msg.getMessageCase();
        if (kind == WorkerMessage.MessageCase.PING) {
            send(ServerMessage.newBuilder().setPong(WorkerPong.newBuilder()
                    .setLastTimestamp(msg.getPing().getTimestamp())
                    .setTimestamp(clock.wallMillis())).build());
            return;
        }
        if (kind == WorkerMessage.MessageCase.MESSAGE_NOT_SET) {
            throw new WebSocketConnection.ProtocolViolation("WorkerMessage without a message");
        }
        if (kind == WorkerMessage.MessageCase.REGISTER) {
            register(msg.getRegister());
            return;
        }
        if (phase() != Phase.REGISTERED) {
            throw new WebSocketConnection.ProtocolViolation(kind + " before register");
        }
        switch (kind) {
            case AVAILABILITY -> onAvailability(msg.getAvailability());
            case UPDATE_WORKER -> {
                synchronized (this) {
                    if (msg.getUpdateWorker().hasStatus()) {
                        status = msg.getUpdateWorker().getStatus();
                    }
                    load = msg.getUpdateWorker().getLoad();
                }
            }
            case UPDATE_JOB -> onUpdateJob(msg.getUpdateJob());
            case SIMULATE_JOB -> listener.onSimulateJob(this, msg.getSimulateJob());
            case MIGRATE_JOB -> {
                // OSS accepts and ignores it; we only remember the ids for tests.
                synchronized (this) {
                    migrated.addAll(msg.getMigrateJob().getJobIdsList());
                }
            }
            default -> log.debug("{}: ignoring {}", name, kind);
        }
    }

    private void register(RegisterWorkerRequest req) throws WebSocketConnection.ProtocolViolation {
        if (phase() != Phase.AWAIT_REGISTER) {
            throw new WebSocketConnection.ProtocolViolation("second register on one connection");
        }
        if (JobType.forNumber(req.getTypeValue()) == null) {
            throw new WebSocketConnection.ProtocolViolation("unknown job type " + req.getTypeValue());
        }
        String dep = deploymentOf(req);
        String problem = deploymentProblem(dep);
        if (problem != null) {
            throw new WebSocketConnection.ProtocolViolation("invalid deployment: " + problem);
        }
        synchronized (this) {
            if (phase != Phase.AWAIT_REGISTER) {
                return; // closed meanwhile by the deadline
            }
            phase = Phase.REGISTERED;
            registration = req;
            deployment = dep;
            registerDeadline.cancel(false);
        }
        boolean sent = send(ServerMessage.newBuilder().setRegister(RegisterWorkerResponse.newBuilder()
                .setWorkerId(workerId).setServerInfo(serverInfo)).build());
        if (sent) {
            log.info("{}: registered type={} agent_name='{}' version='{}'", name, req.getType(),
                    req.getAgentName(), req.getVersion());
            listener.onRegistered(this);
        }
    }

    /** Field 9 is newer than the compiled proto snapshot; read it by name if known, else from unknown fields. */
    static String deploymentOf(RegisterWorkerRequest req) {
        FieldDescriptor known = RegisterWorkerRequest.getDescriptor().findFieldByName("deployment");
        if (known != null) {
            return (String) req.getField(known);
        }
        List<ByteString> values = req.getUnknownFields().getField(DEPLOYMENT_FIELD_NUMBER).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.get(values.size() - 1).toStringUtf8();
    }

    /** LiveKit's ValidateDeployment: ≤ 64 bytes, no '_', no control or space byte. Null when valid. */
    static String deploymentProblem(String dep) {
        byte[] bytes = dep.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_DEPLOYMENT_BYTES) {
            return "longer than " + MAX_DEPLOYMENT_BYTES + " bytes";
        }
        for (byte b : bytes) {
            if (b == '_' || (b >= 0 && b <= 0x20) || b == 0x7f) {
                return "forbidden character";
            }
        }
        return null;
    }

    private void onAvailability(AvailabilityResponse resp) {
        CompletableFuture<AvailabilityResponse> waiter;
        synchronized (this) {
            waiter = pending.remove(resp.getJobId());
        }
        if (waiter == null) {
            log.warn("{}: availability answer for unknown job {} (late or never offered), ignored", name,
                    resp.getJobId());
            return;
        }
        waiter.complete(resp);
    }

    private void onUpdateJob(UpdateJobStatus update) {
        long nowNs = clock.wallMillis() * 1_000_000L;
        synchronized (this) {
            Job job = running.get(update.getJobId());
            if (job == null) {
                log.debug("{}: status update for unknown job {}, ignored", name, update.getJobId());
                return;
            }
            JobState.Builder state = job.getState().toBuilder().setUpdatedAt(nowNs);
            if (state.getStatus() == JobStatus.JS_PENDING && update.getStatus() != JobStatus.JS_PENDING) {
                state.setStartedAt(nowNs);
            }
            state.setStatus(update.getStatus()).setError(update.getError());
            if (update.getStatus() == JobStatus.JS_SUCCESS || update.getStatus() == JobStatus.JS_FAILED) {
                running.remove(update.getJobId());
            } else {
                running.put(update.getJobId(), job.toBuilder().setState(state).build());
            }
        }
    }

    /**
     * Registers the pending answer, then sends the AvailabilityRequest. The future completes on the
     * connection thread with the answer, or exceptionally with {@link WorkerClosedException}, or with
     * {@link TimeoutException} through {@link #expire}.
     */
    CompletableFuture<AvailabilityResponse> requestAvailability(Job job) {
        CompletableFuture<AvailabilityResponse> answer = new CompletableFuture<>();
        synchronized (this) {
            if (phase != Phase.REGISTERED) {
                return CompletableFuture.failedFuture(new WorkerClosedException());
            }
            if (pending.putIfAbsent(job.getId(), answer) != null) {
                return CompletableFuture.failedFuture(new IllegalStateException("duplicate job assignment"));
            }
        }
        boolean sent = send(ServerMessage.newBuilder()
                .setAvailability(AvailabilityRequest.newBuilder().setJob(job).setResuming(false)).build());
        if (!sent) {
            synchronized (this) {
                pending.remove(job.getId(), answer);
            }
            answer.completeExceptionally(new WorkerClosedException());
        }
        return answer;
    }

    /** The availability deadline passed; a later answer will be logged as unknown and ignored. */
    void expire(String jobId, CompletableFuture<AvailabilityResponse> answer) {
        boolean removed;
        synchronized (this) {
            removed = pending.remove(jobId, answer);
        }
        if (removed) {
            answer.completeExceptionally(new TimeoutException("agent worker availability timeout"));
        }
    }

    /** Records the job as running on this connection, then sends the JobAssignment. False if the worker is gone. */
    boolean assign(Job job, String token, String url) {
        synchronized (this) {
            if (phase != Phase.REGISTERED) {
                return false;
            }
            running.put(job.getId(), job);
        }
        JobAssignment.Builder a = JobAssignment.newBuilder().setJob(job).setToken(token);
        if (url != null) {
            a.setUrl(url);
        }
        if (!send(ServerMessage.newBuilder().setAssignment(a).build())) {
            synchronized (this) {
                running.remove(job.getId());
            }
            return false;
        }
        return true;
    }

    /**
     * Sends JobTermination and forgets the job at once, without waiting for the worker (§3.8).
     * False when the job is not running on this connection (the real server then sends nothing).
     */
    boolean terminate(String jobId) {
        synchronized (this) {
            if (running.remove(jobId) == null) {
                return false;
            }
        }
        send(ServerMessage.newBuilder().setTermination(JobTermination.newBuilder().setJobId(jobId)).build());
        log.info("{}: terminated job {}", name, jobId);
        return true;
    }

    /** Any thread. ABRUPT drops the socket; the others start a closing handshake bounded by 5 s. */
    void close(Close how) {
        if (how == Close.ABRUPT) {
            ws.abort();
            return;
        }
        io.execute(() -> {
            try {
                ws.sendClose(how.code());
            } catch (IOException e) {
                ws.abort();
            }
        });
        timer.schedule(ws::abort, CLOSE_HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a server message; false (and the connection dropped) when the write fails. Any thread. */
    boolean send(ServerMessage msg) {
        try {
            if (jsonMode) {
                ws.sendText(JsonFormat.printer().print(msg));
            } else {
                ws.sendBinary(msg.toByteArray());
            }
            return true;
        } catch (IOException e) {
            log.debug("{}: write of {} failed: {}", name, msg.getMessageCase(), e.toString());
            ws.abort();
            return false;
        }
    }

    private void sendPing() {
        if (ws.closeSent() || !ws.isOpen()) {
            return;
        }
        try {
            ws.sendPing();
        } catch (IOException e) {
            // Like wsprotocol.go: a failed ping only stops the ping loop; the read side ends the connection.
            synchronized (this) {
                if (pinger != null) {
                    pinger.cancel(false);
                }
            }
        }
    }

    private void registerDeadlinePassed() {
        if (phase() == Phase.AWAIT_REGISTER) {
            log.warn("{}: no register within {}, closing abruptly", name, config.registerTimeout());
            ws.abort();
        }
    }

    /** Cleanup, exactly once, on the connection thread. */
    private void finish() {
        ws.abort();
        List<CompletableFuture<AvailabilityResponse>> waiters;
        synchronized (this) {
            phase = Phase.CLOSED;
            registerDeadline.cancel(false);
            pinger.cancel(false);
            waiters = new ArrayList<>(pending.values());
            pending.clear();
            // The real server forgets running jobs on disconnect: no status, no reassignment.
            running.clear();
        }
        waiters.forEach(w -> w.completeExceptionally(new WorkerClosedException()));
        closed.complete(null);
        listener.onClosed(this);
    }

    synchronized Phase phase() {
        return phase;
    }

    /** Permissions baked into job tokens: the registered ones, or the server's defaults. */
    synchronized ParticipantPermission permissions() {
        return registration.hasAllowedPermissions() ? registration.getAllowedPermissions()
                : AgentJobToken.defaultPermissions();
    }

    String apiSecret() {
        return apiSecret;
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public long connectionId() {
        return connectionId;
    }

    @Override
    public String apiKey() {
        return apiKey;
    }

    @Override
    public synchronized RegisterWorkerRequest registration() {
        return registration;
    }

    @Override
    public synchronized String deployment() {
        return deployment;
    }

    @Override
    public synchronized WorkerStatus status() {
        return status;
    }

    @Override
    public synchronized float load() {
        return load;
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public synchronized Set<String> runningJobIds() {
        return Set.copyOf(running.keySet());
    }

    @Override
    public synchronized Optional<Job> runningJob(String jobId) {
        return Optional.ofNullable(running.get(jobId));
    }

    @Override
    public synchronized List<String> migratedJobIds() {
        return List.copyOf(migrated);
    }

    @Override
    public CompletableFuture<Void> closed() {
        return closed.copy(); // callers must not be able to complete ours
    }

    @Override
    public String toString() {
        return name;
    }
}
