package io.lkworker.localserver.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.Close;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.SimulateJobRequest;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPong;
import livekit.LivekitAgent.WorkerStatus;
import livekit.LivekitModels.ParticipantPermission;
import livekit.LivekitModels.ServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent protocol on one upgraded connection (livekit/livekit {@code pkg/agent/worker.go} {@code Worker},
 * {@code pkg/service/agentservice.go} {@code AgentHandler}): AWAIT_REGISTER →
 * REGISTERED → CLOSED, worker status and load; its jobs are kept in {@link ConnectionJobs}.
 *
 * <p>Threads: the connection thread runs {@link #run()} (all reads and all cleanup happen there);
 * dispatch threads and control-API callers use the other methods. Phase, registration, status
 * and load are guarded by {@code this}; nothing is sent while holding it, so a slow socket never
 * blocks readers of the state. The shared timer only flips deadlines and hands writes to the io
 * executor.
 */
final class WorkerSession implements WorkerHandle {

    private static final Logger log = LoggerFactory.getLogger(WorkerSession.class);

    enum Phase { AWAIT_REGISTER, REGISTERED, CLOSED }

    /** What the session tells its server about. Called on the connection thread. */
    interface Listener {
        void onReceived(WorkerSession session, WorkerMessage message, Instant at);

        /**
         * The session joins the worker pool. Called just before the RegisterWorkerResponse is
         * written, under the send-order lock, so the worker is selectable as soon as it can know it
         * is registered, while anything sent to it still goes out after that response.
         * Must only do non-blocking bookkeeping.
         */
        void onJoiningPool(WorkerSession session);

        /** The RegisterWorkerResponse was written. */
        void onRegistered(WorkerSession session);

        void onSimulateJob(WorkerSession session, SimulateJobRequest request);

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
    private final ConnectionJobs jobs = new ConnectionJobs();
    private final WorkerOutbox out;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private Phase phase = Phase.AWAIT_REGISTER;
    private RegisterWorkerRequest registration = RegisterWorkerRequest.getDefaultInstance();
    private String deployment = "";
    private WorkerStatus status = WorkerStatus.WS_AVAILABLE;
    private float load;
    private ScheduledFuture<?> registerDeadline;
    private ScheduledFuture<?> pinger;

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
        this.out = new WorkerOutbox(ws, jobs, () -> phase() == Phase.REGISTERED, timer, io, name);
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
                out.useJson(false);
                return WorkerMessage.parseFrom(frame.payload());
            }
            WorkerMessage.Builder b = WorkerMessage.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(new String(frame.payload(), StandardCharsets.UTF_8), b);
            log.debug("{}: text frame parsed as protojson; replying in JSON from now on", name);
            out.useJson(true);
            return b.build();
        } catch (InvalidProtocolBufferException e) {
            throw new WebSocketConnection.ProtocolViolation("undecodable WorkerMessage: " + e.getMessage());
        }
    }

    private void handle(WorkerMessage msg) throws WebSocketConnection.ProtocolViolation {
        listener.onReceived(this, msg, Instant.ofEpochMilli(clock.millis()));
        WorkerMessage.MessageCase kind = msg.getMessageCase();
        if (kind == WorkerMessage.MessageCase.PING) {
            out.send(ServerMessage.newBuilder().setPong(WorkerPong.newBuilder()
                    .setLastTimestamp(msg.getPing().getTimestamp())
                    .setTimestamp(clock.millis())).build());
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
            case UPDATE_JOB -> {
                if (!jobs.applyUpdate(msg.getUpdateJob(), clock.millis() * 1_000_000L)) {
                    log.debug("{}: status update for unknown job {}, ignored", name, msg.getUpdateJob().getJobId());
                }
            }
            case SIMULATE_JOB -> listener.onSimulateJob(this, msg.getSimulateJob());
            // OSS accepts and ignores it; we only remember the ids for tests.
            case MIGRATE_JOB -> jobs.recordMigration(msg.getMigrateJob().getJobIdsList());
            default -> log.debug("{}: ignoring {}", name, kind);
        }
    }

    private void register(RegisterWorkerRequest req) throws WebSocketConnection.ProtocolViolation {
        if (phase() != Phase.AWAIT_REGISTER) {
            throw new WebSocketConnection.ProtocolViolation("second register on one connection");
        }
        String problem = RegistrationRules.problem(req);
        if (problem != null) {
            throw new WebSocketConnection.ProtocolViolation(problem);
        }
        synchronized (this) {
            if (phase != Phase.AWAIT_REGISTER) {
                return; // closed meanwhile by the deadline
            }
            phase = Phase.REGISTERED;
            registration = req;
            deployment = RegistrationRules.deploymentOf(req);
            registerDeadline.cancel(false);
        }
        boolean sent = out.sendAfter(() -> listener.onJoiningPool(this), ServerMessage.newBuilder()
                .setRegister(RegisterWorkerResponse.newBuilder().setWorkerId(workerId).setServerInfo(serverInfo))
                .build());
        if (sent) {
            log.info("{}: registered type={} agent_name='{}' version='{}'", name, req.getType(),
                    req.getAgentName(), req.getVersion());
            listener.onRegistered(this);
        }
    }

    private void onAvailability(AvailabilityResponse resp) {
        CompletableFuture<AvailabilityResponse> waiter = jobs.takePending(resp.getJobId());
        if (waiter == null) {
            log.warn("{}: availability answer for unknown job {} (late or never offered), ignored", name,
                    resp.getJobId());
            return;
        }
        waiter.complete(resp);
    }

    // ---- outbound, for the dispatcher and the control API (any thread) ----

    CompletableFuture<AvailabilityResponse> requestAvailability(Job job) {
        return out.requestAvailability(job);
    }

    void expire(String jobId, CompletableFuture<AvailabilityResponse> answer) {
        out.expire(jobId, answer);
    }

    boolean assign(Job job, String token, String url) {
        return out.assign(job, token, url);
    }

    boolean terminate(String jobId) {
        return out.terminate(jobId);
    }

    void close(Close how) {
        out.close(how);
    }

    private void sendPing() {
        if (!out.ping()) {
            synchronized (this) {
                pinger.cancel(false);
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
        synchronized (this) {
            phase = Phase.CLOSED;
            registerDeadline.cancel(false);
            pinger.cancel(false);
        }
        jobs.close().forEach(w -> w.completeExceptionally(new WorkerClosedException()));
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

    /** The secret of the worker's API key, to sign its job tokens. Never log it. */
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
    public Set<String> runningJobIds() {
        return jobs.runningIds();
    }

    @Override
    public Optional<Job> runningJob(String jobId) {
        return jobs.running(jobId);
    }

    @Override
    public List<String> migratedJobIds() {
        return jobs.migrated();
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
