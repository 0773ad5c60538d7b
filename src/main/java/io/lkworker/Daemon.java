package io.lkworker;

import io.lkworker.config.WorkerConfig;
import io.lkworker.health.HealthServer;
import io.lkworker.health.PrometheusWorkerMetrics;
import io.lkworker.load.CpuLoadMonitor;
import io.lkworker.load.LoadMonitor;
import java.io.IOException;
import java.nio.file.Path;
import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Heartbeat;
import io.lkworker.runner.JobInfos;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.runner.NewerFields;

import io.lkworker.worker.Capacity;
import io.lkworker.worker.ExecutorFactory;
import io.lkworker.worker.JobExecutor;
import io.lkworker.worker.JobTracing;
import io.lkworker.worker.Version;
import io.lkworker.worker.Worker;
import io.lkworker.worker.WorkerSettings;
import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.serverlink.ServerLink;
import io.lkworker.serverlink.ServerUrl;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import livekit.LivekitAgent;
import livekit.LivekitModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires one worker daemon: the event loop, the job executor, the server link and the worker state
 * machine, and routes signals to it. {@link #run} is what {@code lk-worker start} calls; tests build
 * a {@code Daemon} directly and call {@link #signal} instead of sending real signals.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /** Connect tokens are minted per attempt; six hours matches the reference SDKs. */
    private static final Duration CONNECT_TOKEN_TTL = Duration.ofHours(6);
    private static final long HEARTBEAT_PERIOD_MILLIS = 1_000;
    /**
     * onRequest calls running at once. Each must decide within --request-timeout and is interrupted
     * then; more than this many still running means the agent's handler hangs (and ignores the
     * interrupt): further offers are declined rather than each leaking a thread.
     */
    static final int MAX_REQUEST_THREADS = 32;
    /**
     * The loop's tasks take microseconds to milliseconds; silent for 10 s it is wedged. {@code /} then
     * answers 503, so a Kubernetes liveness probe (default: every 10 s, 3 failures) restarts the
     * worker within about half a minute instead of probing a stale snapshot for ever.
     */
    static final Duration LOOP_STALL_LIMIT = Duration.ofSeconds(10);

    private final WorkerConfig config;
    private final EventLoop loop;
    private final ExecutorService requestThreads;
    private final Worker worker;
    private final JobExecutor executor;
    private final AtomicInteger signals = new AtomicInteger();
    private final PrometheusWorkerMetrics metrics;
    private final JobTracing tracing;
    /** Null until started, and when the health port is disabled (-1). */
    private HealthServer health;

    public Daemon(WorkerConfig config, LoadedAgent agent, ExecutorFactory executors, LoadMonitor load, Clock clock)
            throws Exception {
        this.config = config;
        this.metrics = new PrometheusWorkerMetrics();
        this.loop = new EventLoop(clock);
        this.requestThreads = new ThreadPoolExecutor(0, MAX_REQUEST_THREADS, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), named("lk-request"));
        this.executor = executors.create(config, agent, loop, metrics);
        WorkerSettings settings = new WorkerSettings(agent.agent(), config.agentName(),
                new Capacity(config.loadThreshold(), config.maxJobs(), config.numIdleProcesses()),
                config.requestTimeout(), config.drainTimeout(), requestThreads, config.url(),
                JobInfos.toProto(config.workerType()).name(), metrics, closeTimeout(config));
        this.worker = new Worker(loop, settings, executor, load);
        // Off unless an OTLP endpoint is configured; off, no OpenTelemetry class is loaded (TracingSwitch).
        this.tracing = JobTracing.forDaemon(System.getenv());
        worker.setTracing(tracing);
        worker.attach(new ServerLink(loop, ServerUrl.agentEndpoint(config.url()),
                () -> AccessToken.workerToken(config.apiKey(), config.apiSecret(), clock.wallMillis(), CONNECT_TOKEN_TTL),
                this::registration, config.maxRetry(), worker));
    }

    /** The CLI's entry: runs until the worker exits; returns the process exit code. */
    public static int run(WorkerConfig config, LoadedAgent agent) {
        RunFiles runFiles = new RunFiles(pidFile(config));
        int code = Worker.EXIT_FAILURE;
        if (ProcessHandle.current().pid() == 1) {
            log.warn("running as PID 1: processes that agents start and abandon cannot be reaped and stay zombies;"
                    + " run lk-worker under an init (tini, docker run --init, Kubernetes shareProcessNamespace)");
        }
        try (Daemon daemon = new Daemon(config, agent, DefaultExecutors.defaultFactory(), CpuLoadMonitor.detect(),
                Clock.system())) {
            installSignals(daemon);
            daemon.start();
            daemon.whenRegistered(() -> DaemonCds.trainIfMissing(config.agentJar()));
            try {
                runFiles.writeStarted(ProcessHandle.current().pid(), config.healthHost(), daemon.healthPort(),
                        System.currentTimeMillis());
            } catch (IOException e) {
                // drain and status could not find this daemon: stop it rather than run unmanageable
                daemon.fail("cannot write the pid file " + runFiles.pidFile() + ": " + e);
            }
            code = daemon.exitCode().get();
            String reason = daemon.query(Worker::exitReason);
            if (code != Worker.EXIT_OK && reason != null && !reason.isEmpty()) {
                System.err.println("lk-worker: " + reason);
            }
        } catch (ExecutionException e) {
            log.error("worker failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("worker failed to start: {}", e.toString());
            System.err.println("lk-worker: " + e.getMessage());
        }
        try {
            runFiles.writeExited(code);
        } catch (IOException e) {
            log.warn("cannot record the exit in {}: {}", runFiles.exitFile(), e.getMessage());
        }
        return code;
    }

    /**
     * How long stopping the jobs may take at exit: an entrypoint's grace, then the executor's two
     * shutdown steps (ack, exit), plus slack for the kill to be reaped.
     */
    static Duration closeTimeout(WorkerConfig config) {
        return config.entrypointGrace().plus(config.shutdownTimeout().multipliedBy(2)).plusSeconds(5);
    }

    /** Routes SIGTERM/SIGINT of this JVM to {@code daemon}: first drains, second stops. */
    public static void installSignals(Daemon daemon) {
        SignalHandling.install(daemon::signal);
    }

    /** {@code --pid-file}, else {@code lk-worker.pid} in the run directory. */
    public static Path pidFile(WorkerConfig config) {
        return config.pidFile() != null ? config.pidFile() : config.runDir().resolve("lk-worker.pid");
    }

    public void start() throws IOException {
        // The loop connects first; the health server starts meanwhile on this thread (it only reads
        // snapshots, and a probe that comes before it is listening is refused, as before start).
        loop.start("lk-loop");
        loop.execute(worker::start);
        if (config.healthPort() >= 0) {
            Heartbeat heartbeat = Heartbeat.start(loop, HEARTBEAT_PERIOD_MILLIS);
            health = new HealthServer(config.healthHost(), config.healthPort(), worker::snapshot, metrics,
                    heartbeat::silentMillis, LOOP_STALL_LIMIT).start(); // a failure ends the start (run's catch)
        }
    }

    /** Runs {@code action} on the loop once, when the worker first registers. */
    void whenRegistered(Runnable action) {
        loop.execute(() -> worker.addStateListener(new Runnable() {
            private boolean done;

            @Override
            public void run() {
                if (!done && worker.state() == io.lkworker.worker.WorkerState.REGISTERED) {
                    done = true;
                    action.run();
                }
            }
        }));
    }

    public CompletableFuture<Integer> exitCode() {
        return worker.exitCode();
    }

    /**
     * A SIGTERM/SIGINT (or a test standing in for one): the first drains ({@code start}) or stops the
     * jobs gracefully ({@code dev}); the second stops at once.
     */
    public void signal(String name) {
        int n = signals.incrementAndGet();
        loop.execute(() -> {
            if (n == 1 && config.mode() == WorkerConfig.Mode.DEV) {
                log.info("received {}: stopping the running jobs gracefully (send it again to stop at once)", name);
                worker.stop();
            } else if (n == 1) {
                log.info("received {}: draining (send it again to stop at once)", name);
                worker.drain();
            } else {
                log.warn("received {} again: stopping now", name);
                worker.forceStop();
            }
        });
    }

    /** Fails the worker (see {@link Worker#fail}): it stops its jobs and exits 1 with {@code reason}. */
    public void fail(String reason) {
        loop.execute(() -> worker.fail(reason));
    }

    /**
     * Dev-mode hot reload: switch to {@code agent} on the loop without touching the connection.
     * {@code resign} re-signs a job token for restarted jobs; null keeps running jobs on the old code.
     */
    public void reload(LoadedAgent agent, java.util.function.UnaryOperator<String> resign) {
        loop.execute(() -> worker.reload(agent, resign));
    }

    /** Runs {@code query} on the loop and waits for its answer (tests, CLI, health snapshots). */
    public <T> T query(Function<Worker, T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                answer.complete(query.apply(worker));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("loop query failed", e);
        }
    }

    /** The worker's latest snapshot; safe from any thread (health endpoints). */
    public WorkerSnapshot snapshot() {
        return worker.snapshot();
    }

    /** The bound health port, or -1 when the health server is disabled. */
    public int healthPort() {
        return health == null ? -1 : health.port();
    }

    private LivekitAgent.RegisterWorkerRequest registration() {
        var permissions = config.permissions();
        LivekitModels.ParticipantPermission.Builder allowed = LivekitModels.ParticipantPermission.newBuilder()
                .setCanPublish(permissions.canPublish())
                .setCanSubscribe(permissions.canSubscribe())
                .setCanPublishData(permissions.canPublishData())
                .setCanUpdateMetadata(permissions.canUpdateMetadata())
                .setHidden(permissions.hidden())
                .setAgent(true);
        for (String source : permissions.canPublishSources()) {
            allowed.addCanPublishSources(LivekitModels.TrackSource.valueOf(source.toUpperCase()));
        }
        LivekitAgent.RegisterWorkerRequest.Builder register = LivekitAgent.RegisterWorkerRequest.newBuilder()
                .setType(JobInfos.toProto(config.workerType()))
                .setAgentName(config.agentName())
                .setVersion(Version.current())
                .setAllowedPermissions(allowed);
        return NewerFields.setDeployment(register, config.deployment()).build();
    }

    @Override
    public void close() {
        if (health != null) {
            health.close();
        }
        loop.close();
        requestThreads.shutdownNow();
        tracing.close(); // the last jobs' spans (bounded: docs/tracing.md)
    }

    static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
