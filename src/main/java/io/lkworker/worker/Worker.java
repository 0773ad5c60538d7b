package io.lkworker.worker;

import io.lkworker.logging.Plural;
import io.lkworker.load.LoadMonitor;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.serverlink.ConnectionFailure;
import io.lkworker.serverlink.ServerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitAgent;
import livekit.LivekitAgent.WorkerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The worker state machine (design §3): registration, job offers, assignments, job status, status
 * reports, termination, drain and stop. Loop thread only; it owns the jobs map and every decision.
 * Here: the worker's states and each job's lifecycle (assignment, launch, running, final status,
 * termination, reload); offers and assignments are answered by {@link AvailabilityHandler}; capacity
 * and the {@code UpdateWorkerStatus} reports by {@link StatusReporter}.
 */
public final class Worker implements ServerLink.Handler, AvailabilityHandler.Host, JobEvents {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** Status report period; the server has no freshness timeout, 2.5 s matches livekit/agents {@code worker.py} {@code UPDATE_STATUS_INTERVAL}. */
    static final long STATUS_INTERVAL_MILLIS = 2_500;
    /**
     * After a second signal, how long reaping the killed job processes may take before the daemon
     * exits regardless. A SIGKILLed process is normally reaped within milliseconds; this only bounds a
     * pathological case (a process stuck in uninterruptible I/O).
     */
    static final long FORCED_STOP_MILLIS = 3_000;
    /** What a job killed by a second signal is failed with. */
    public static final String FORCED_STOP_REASON = "killed: the worker was stopped by a second signal";

    /** Exit codes of the daemon. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    /** The drain timed out and running jobs had to be stopped. */
    public static final int EXIT_DRAIN_TIMED_OUT = 3;
    /** A second signal interrupted the drain. */
    public static final int EXIT_FORCED = 130;

    private final EventLoop loop;
    private final JobExecutor executor;
    private final LoadMonitor load;
    private final Duration drainTimeout;
    private final Duration closeTimeout;
    /** The configured LiveKit URL, given to jobs whose assignment names none. */
    private final String serverUrl;
    private final AvailabilityHandler availability;
    private final StatusReporter status;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Map<String, RunningJob> jobs = new LinkedHashMap<>();
    /** Jobs being restarted on reloaded code: their end is not reported, they are launched again. */
    private final Map<String, JobLaunch> restarting = new LinkedHashMap<>();
    private final List<Runnable> stateListeners = new ArrayList<>();
    /** Loop thread; added before the worker starts or from a loop task (dev playground). */
    private final List<JobLifecycleListener> jobListeners = new ArrayList<>();
    /** Job traces (also one of {@link #jobListeners}); {@link JobTracing#NONE} when tracing is off. */
    private JobTracing tracing = JobTracing.NONE;
    private final WorkerMetrics metrics;
    private final String agentName;
    private final String workerType;
    /** Republished by the loop after every change; read by HTTP threads. */
    private volatile WorkerSnapshot snapshot;

    private ServerLink link;
    private WorkerState state = WorkerState.STARTING;
    private Timer loadTimer;
    private Timer drainTimer;
    /** Job processes are warmed only once the worker is registered: registration never waits for them. */
    private boolean registeredOnce;
    private String exitReason = "";
    private int drainExitCode = EXIT_OK;
    /** Set once the executor is being closed; {@link #closeCode} is what the daemon then exits with. */
    private boolean closing;
    private int closeCode = EXIT_OK;

    public Worker(EventLoop loop, WorkerSettings settings, JobExecutor executor, LoadMonitor load) {
        this.loop = loop;
        this.executor = executor;
        this.load = load;
        this.drainTimeout = settings.drainTimeout();
        this.closeTimeout = settings.closeTimeout();
        this.serverUrl = settings.serverUrl();
        this.metrics = settings.metrics();
        this.agentName = settings.agentName();
        this.workerType = settings.workerType();
        this.snapshot = WorkerSnapshot.initial(agentName, workerType);
        this.availability = new AvailabilityHandler(loop, settings.agent(), settings.agentName(),
                settings.requestTimeout().toMillis(), settings.requestThreads(), settings.metrics(), this);
        this.status = new StatusReporter(loop, load, settings.capacity(), executor, availability, jobs,
                this::isDraining, () -> link);
    }

    /** Attaches the server link (constructed with this worker as its handler). */
    public void attach(ServerLink serverLink) {
        this.link = serverLink;
    }

    /** Completes with the daemon's exit code. */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    public void addStateListener(Runnable listener) {
        stateListeners.add(listener);
    }

    /** Loop thread (or before start): {@code listener} hears every job's stages from then on. */
    public void addJobListener(JobLifecycleListener listener) {
        jobListeners.add(listener);
    }

    /**
     * Before the worker starts: traces every job with {@code jobTracing}, which hears the jobs' stages
     * and gives each job process the trace context to continue.
     */
    public void setTracing(JobTracing jobTracing) {
        this.tracing = jobTracing;
        addJobListener(jobTracing);
    }

    void jobStage(String jobId, String room, JobLifecycleListener.Stage stage, String detail) {
        jobStage(jobId, room, stage, detail, JobLifecycleListener.Details.NONE);
    }

    @Override
    public void jobStage(String jobId, String room, JobLifecycleListener.Stage stage, String detail,
                         JobLifecycleListener.Details details) {
        if (jobListeners.isEmpty()) {
            return;
        }
        var event = new JobLifecycleListener.Event(jobId, room, stage, loop.clock().wallMillis(), detail, details);
        for (JobLifecycleListener l : jobListeners) {
            try {
                l.onJobEvent(event);
            } catch (RuntimeException e) {
                log.warn("job listener failed on {} of job {}: {}", stage, jobId, e.toString());
            }
        }
    }

    /**
     * Begins: warm the executor, sample load, connect. Loop thread. An executor that cannot start (an
     * unusable run directory, a full disk) fails the worker at once: it must not sit "starting" and
     * healthy for ever.
     */
    public void start() {
        assert loop.inLoop();
        // Connect first: the TCP and WebSocket handshakes run on the socket's thread while the loop
        // sets up the executor and warms the offer path (the register is sent once this task is done).
        setState(WorkerState.CONNECTING);
        link.start();
        try {
            // No warm-up before registration: JVM starts would compete with the connection for the
            // CPU (3 children on 2 cores: registration 1.8 s instead of 1.1 s). publish() raises the
            // target once registered.
            status.initialIdleTarget(0);
            executor.start();
            // The pool's warm-up and the worker's helper processes (the daemon's CDS trainer) are its own
            // CPU, not other work: the load leaves both out.
            load.attribute(() -> {
                io.lkworker.load.OwnCpu.Usage u = executor.ownCpu();
                return new io.lkworker.load.OwnCpu.Usage(u.warmupNanos() + io.lkworker.load.HelperProcesses.cpuNanos(),
                        u.jobNanos());
            });
        } catch (RuntimeException e) {
            log.error("cannot start the job executor: {}", e.getMessage());
            fail("cannot start the job executor: " + e.getMessage());
            return;
        }
        loadTimer = loop.scheduleAtFixedRate(0, LoadMonitor.SAMPLE_INTERVAL_MILLIS, () -> {
            load.sample();
            status.measurePerJobLoad();
            if (link != null && link.isRegistered() && status.fullnessChanged()) {
                status.sendStatus(); // a flip (new load, a job's cost entering it) is told at once, not at the next status tick
            }
            publish();
        });
        availability.warmUp();
    }

    // ---- read-only views for status and health (loop thread) ----

    public WorkerState state() {
        return state;
    }

    @Override
    public String workerId() {
        return link == null ? "" : link.workerId();
    }

    public String exitReason() {
        return exitReason;
    }

    public int reservedSlots() {
        return availability.reservedSlots();
    }

    // ---- ServerLink.Handler ----

    @Override
    public void onRegistered(LivekitAgent.RegisterWorkerResponse response, boolean reconnected) {
        registeredOnce = true;
        if (state != WorkerState.DRAINING) {
            setState(WorkerState.REGISTERED);
        }
        if (reconnected) {
            metrics.reconnected();
        }
        if (reconnected && !jobs.isEmpty()) {
            // The server forgets a worker's jobs with its connection; tell it which ones still run.
            log.info("re-registered with {}; reporting them for migration",
                    Plural.of(jobs.size(), "running job", "running jobs"));
            link.send(WorkerMessage.newBuilder().setMigrateJob(LivekitAgent.MigrateJobRequest.newBuilder()
                    .addAllJobIds(jobs.keySet())).build());
        }
        status.sendStatus();
        status.startPeriodic(STATUS_INTERVAL_MILLIS);
    }

    @Override
    public void onMessage(LivekitAgent.ServerMessage message) {
        switch (message.getMessageCase()) {
            case AVAILABILITY -> availability.onAvailabilityRequest(message.getAvailability());
            case ASSIGNMENT -> availability.onAssignment(message.getAssignment());
            case TERMINATION -> onTermination(message.getTermination().getJobId());
            case PONG, REGISTER -> { }
            case MESSAGE_NOT_SET -> availability.malformed("empty", "a message with no content");
            default -> log.debug("ignoring server message {}", message.getMessageCase());
        }
    }

    @Override
    public void onDisconnected(ConnectionFailure failure) {
        if (state != WorkerState.DRAINING) {
            setState(WorkerState.RECONNECTING);
        }
        if (!jobs.isEmpty()) {
            log.info("{} running while the worker reconnects", Plural.of(jobs.size(), "job keeps", "jobs keep"));
        }
    }

    @Override
    public void onGaveUp(ConnectionFailure lastFailure, int attempts) {
        exitReason = "could not connect to LiveKit after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ")
                + lastFailure;
        setState(WorkerState.FAILED);
        stopEverything(EXIT_FAILURE, "worker lost its LiveKit connection");
    }

    /**
     * The worker cannot go on ({@code reason} says why, for the exit line and {@code /}): unhealthy at
     * once, jobs stopped, exit {@link #EXIT_FAILURE}. Loop thread.
     */
    public void fail(String reason) {
        assert loop.inLoop();
        if (state == WorkerState.FAILED) {
            return;
        }
        exitReason = reason;
        setState(WorkerState.FAILED);
        stopEverything(EXIT_FAILURE, "worker failed");
    }

    // ---- AvailabilityHandler.Host ----

    @Override
    public boolean canTakeJob() {
        return status.canTakeJob();
    }

    @Override
    public boolean isDraining() {
        return state == WorkerState.DRAINING || state == WorkerState.CLOSED || state == WorkerState.FAILED;
    }

    @Override
    public void send(WorkerMessage message) {
        link.send(message);
    }

    @Override
    public boolean runsJob(String jobId) {
        return jobs.containsKey(jobId);
    }

    @Override
    public void launch(LivekitAgent.JobAssignment assignment, LivekitAgent.Job job, AcceptArguments accept) {
        status.jobArrived();
        String url = assignment.hasUrl() && !assignment.getUrl().isEmpty() ? assignment.getUrl() : serverUrl;
        LivekitAgent.Job assigned = assignment.hasJob() ? assignment.getJob() : job;
        jobStage(assigned.getId(), assigned.getRoom().getName(), JobLifecycleListener.Stage.ASSIGNED,
                "as " + accept.identity(), JobLifecycleListener.Details.assigned(link.workerId(), accept.identity()));
        // The job's trace exists since its offer: its process continues it (StartJob.trace_context).
        JobLaunch launch = new JobLaunch(assigned, url, assignment.getToken(), link.workerId(), accept,
                tracing.traceContext(assigned.getId()));
        jobs.put(launch.jobId(), new RunningJob(launch, 0, false, loop.clock().wallMillis(), loop.clock().nanos()));
        withJob(launch, () -> log.info("launching job {} in room {}", launch.jobId(), launch.roomName()));
        executor.launch(launch, this);
        publish();
    }

    @Override
    public void reservationsChanged() {
        if (status.fullnessChanged() && link.isRegistered()) {
            status.sendStatus();
        }
        publish();
        // A released reservation (decline, deadline, assignment timeout) may be the last thing a drain waits for.
        checkDrained();
    }

    // ---- JobEvents (from the executor, loop thread) ----

    @Override
    public void onRunning(String jobId, long pid) {
        running(jobId, pid, null);
    }

    @Override
    public void onRunning(String jobId, long pid, boolean warm) {
        running(jobId, pid, warm);
    }

    private void running(String jobId, long pid, Boolean warm) {
        RunningJob job = jobs.get(jobId);
        if (job == null) {
            return;
        }
        jobs.put(jobId, job.started(pid));
        metrics.assignmentToRunning((loop.clock().nanos() - job.launchedAtNanos()) / 1e9);
        withJob(job.launch(), () -> log.info("job {} running (pid {})", jobId, pid));
        jobStage(jobId, job.launch().roomName(), JobLifecycleListener.Stage.RUNNING, "pid " + pid,
                JobLifecycleListener.Details.running(pid, warm));
        sendJobStatus(jobId, LivekitAgent.JobStatus.JS_RUNNING, "");
        publish();
    }

    @Override
    public void onEnded(String jobId, JobOutcome outcome) {
        onEnded(jobId, outcome, JobCost.UNKNOWN);
    }

    @Override
    public void onEnded(String jobId, JobOutcome outcome, JobCost cost) {
        JobLaunch relaunch = restarting.remove(jobId);
        if (relaunch != null && jobs.containsKey(jobId) && !isDraining()) {
            jobs.put(jobId, new RunningJob(relaunch, 0, false, loop.clock().wallMillis(), loop.clock().nanos()));
            withJob(relaunch, () -> log.info("restarting job {} on the reloaded code as '{}'", jobId,
                    relaunch.accept().identity()));
            jobStage(jobId, relaunch.roomName(), JobLifecycleListener.Stage.RESTARTING, "on the reloaded code");
            executor.launch(relaunch, this);
            publish();
            return;
        }
        RunningJob job = jobs.remove(jobId);
        if (job == null) {
            return;
        }
        withJob(job.launch(), () -> {
            if (outcome.success()) {
                log.info("job {} succeeded", jobId);
            } else {
                log.warn("job {} failed: {}", jobId, outcome.error());
            }
        });
        metrics.jobEnded(outcome.success() ? "success" : "failed");
        metrics.jobCost((loop.clock().nanos() - job.launchedAtNanos()) / 1e9, cost);
        jobStage(jobId, job.launch().roomName(), JobLifecycleListener.Stage.ENDED,
                outcome.success() ? "succeeded" : "failed: " + outcome.error(),
                JobLifecycleListener.Details.ended(outcome.success(), outcome.error()));
        sendJobStatus(jobId, outcome.success() ? LivekitAgent.JobStatus.JS_SUCCESS : LivekitAgent.JobStatus.JS_FAILED,
                outcome.error());
        publish();
        checkDrained();
    }

    // ---- dev-mode reload ----

    /**
     * Switches to reloaded agent code without touching the server connection: offers are decided by
     * the new agent, the executor replaces its idle capacity, and running jobs are either restarted on
     * the new code as the same participant ({@code resign} gives each a fresh token) or left to
     * finish on the old code ({@code resign == null}).
     */
    public void reload(io.lkworker.runner.LoadedAgent agent, java.util.function.UnaryOperator<String> resign) {
        assert loop.inLoop();
        availability.setAgent(agent.agent());
        executor.reload(agent);
        if (resign == null) {
            log.info("reloaded agent {}; {} on the previous code", agent.className(),
                    Plural.of(jobs.size(), "running job finishes", "running jobs finish"));
            return;
        }
        for (RunningJob job : jobs.values()) {
            JobLaunch old = job.launch();
            JobLaunch fresh = new JobLaunch(old.job(), old.url(), resign.apply(old.token()), old.workerId(), old.accept(),
                    old.traceContext());
            restarting.put(old.jobId(), fresh);
            executor.terminate(old.jobId(), "agent code reloaded");
        }
        log.info("reloaded agent {}; restarting {} on it", agent.className(),
                Plural.of(restarting.size(), "running job", "running jobs"));
    }

    // ---- termination, drain, stop ----

    private void onTermination(String jobId) {
        if (jobId.isEmpty()) {
            availability.malformed("termination", "a job termination without a job id");
            return;
        }
        RunningJob job = jobs.get(jobId);
        if (job == null) {
            log.info("termination for unknown job {}; ignoring it", jobId);
            return;
        }
        withJob(job.launch(), () -> log.info("server terminated job {}", jobId));
        executor.terminate(jobId, "terminated by the server");
    }

    /** First signal: stop taking jobs, let running ones finish (bounded by the drain timeout), then exit. */
    public void drain() {
        assert loop.inLoop();
        if (state == WorkerState.DRAINING || state == WorkerState.CLOSED || state == WorkerState.FAILED) {
            return;
        }
        setState(WorkerState.DRAINING);
        log.info("draining: declining new jobs, waiting for {}{}", Plural.of(jobs.size(), "running job", "running jobs"),
                drainTimeout.isZero() ? " (no time limit)" : " for up to " + drainTimeout.toSeconds() + " s");
        status.sendStatus();
        if (!drainTimeout.isZero()) {
            drainTimer = loop.schedule(drainTimeout.toMillis(), () -> {
                log.warn("drain timed out after {} s with {} still running; stopping them",
                        drainTimeout.toSeconds(), Plural.of(jobs.size(), "job", "jobs"));
                drainExitCode = EXIT_DRAIN_TIMED_OUT;
                stopEverything(EXIT_DRAIN_TIMED_OUT, "worker drain timed out");
            });
        }
        // Releasing these reservations ends the drain at once when nothing else runs (checkDrained).
        availability.declineUndecided("worker is draining");
        checkDrained();
    }

    /**
     * Dev mode's first signal: a developer pressing Ctrl-C wants the worker gone, not a drain that
     * waits for jobs to end by themselves. Running jobs get a graceful shutdown (grace period and
     * callbacks), then the worker exits 0.
     */
    public void stop() {
        assert loop.inLoop();
        if (state == WorkerState.CLOSED || state == WorkerState.FAILED) {
            return;
        }
        log.info("stopping: shutting down {}", Plural.of(jobs.size(), "running job", "running jobs"));
        setState(WorkerState.DRAINING);
        status.sendStatus();
        availability.declineUndecided("worker is stopping");
        stopEverything(EXIT_OK, "worker stopped");
    }

    /**
     * Second signal: the operator wants the process gone now. Every job is killed at once (reported
     * FAILED with that reason while the connection is up), and the daemon exits as soon as the
     * killed processes are reaped, with {@link #EXIT_FORCED}.
     */
    public void forceStop() {
        assert loop.inLoop();
        log.warn("second signal: killing {} now", Plural.of(jobs.size(), "job", "jobs"));
        if (state != WorkerState.FAILED) {
            availability.declineUndecided("worker is stopping");
        }
        if (drainTimer != null) {
            drainTimer.cancel();
        }
        closing = true;
        closeCode = EXIT_FORCED;
        if (state != WorkerState.FAILED) {
            setState(WorkerState.CLOSED);
        }
        executor.closeNow(FORCED_STOP_REASON, () -> finish(closeCode));
        // Bound on reaping the killed processes (milliseconds normally): the exit must not wait on them.
        loop.schedule(FORCED_STOP_MILLIS, () -> finish(EXIT_FORCED));
    }

    private void checkDrained() {
        if (state == WorkerState.DRAINING && !closing && jobs.isEmpty() && availability.idle()) {
            log.info("drain complete: no jobs left");
            stopEverything(drainExitCode, "worker drained");
        }
    }

    /** Closes the executor gracefully and then exits with {@code code}; only the first call counts. */
    private void stopEverything(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeCode = code;
        if (drainTimer != null) {
            drainTimer.cancel();
        }
        if (state != WorkerState.FAILED) {
            setState(WorkerState.CLOSED);
        }
        executor.close(reason, () -> finish(closeCode));
        // The executor escalates to kills on its own; this only guarantees that the daemon exits even
        // if a close never completes. Children left behind see their socket close and exit by themselves.
        loop.schedule(closeTimeout.toMillis(), () -> {
            if (!exit.isDone()) {
                log.error("the job executor did not close within {} ms; exiting anyway", closeTimeout.toMillis());
                finish(closeCode == EXIT_OK ? EXIT_FAILURE : closeCode);
            }
        });
    }

    private void finish(int code) {
        if (exit.isDone()) {
            return;
        }
        status.stopPeriodic();
        if (loadTimer != null) {
            loadTimer.cancel();
        }
        // Job status updates queued by the executor's close are written before the close frame.
        link.close();
        publish();
        exit.complete(code);
    }

    // ---- status ----

    private void sendJobStatus(String jobId, LivekitAgent.JobStatus status, String error) {
        link.send(WorkerMessage.newBuilder().setUpdateJob(LivekitAgent.UpdateJobStatus.newBuilder()
                .setJobId(jobId).setStatus(status).setError(error == null ? "" : error)).build());
    }

    private void setState(WorkerState next) {
        if (state != next) {
            log.debug("worker state {} -> {}", state, next);
            state = next;
            publish();
        }
    }

    /** The latest snapshot; safe from any thread. */
    public WorkerSnapshot snapshot() {
        return snapshot;
    }

    private void publish() {
        if (state != WorkerState.STARTING && state != WorkerState.CLOSED && state != WorkerState.FAILED) {
            status.retargetIdle(registeredOnce);
        }
        snapshot = buildSnapshot();
        for (Runnable listener : stateListeners) {
            listener.run();
        }
    }

    private WorkerSnapshot buildSnapshot() {
        List<WorkerSnapshot.JobSnapshot> running = new ArrayList<>();
        for (RunningJob job : jobs.values()) {
            running.add(new WorkerSnapshot.JobSnapshot(job.launch().jobId(), job.launch().roomName(),
                    job.launch().accept().identity(), job.launchedAtMillis(), job.pid(), job.running(),
                    executor.usage(job.launch().jobId())));
        }
        ExecutorStats stats = executor.stats();
        boolean available = link != null && link.isRegistered() && !status.isFullNow();
        return new WorkerSnapshot(agentName, link == null ? "" : link.workerId(), workerType, state.label(),
                state != WorkerState.FAILED, state == WorkerState.FAILED ? exitReason : "",
                Capacity.clamp(load.load()), running, stats.idle(), stats.starting(),
                link == null ? 0 : link.reconnects(), Version.current(), WorkerSnapshot.PROTOCOL_VERSION,
                available, link != null && link.isRegistered() ? status.availabilityReason() : "not registered",
                executor.measuresJobCpu() ? stats.idle() + stats.starting() + stats.running() : 0);
    }

    private static void withJob(JobLaunch launch, Runnable body) {
        MDC.put("job_id", launch.jobId());
        MDC.put("room", launch.roomName());
        try {
            body.run();
        } finally {
            MDC.remove("job_id");
            MDC.remove("room");
        }
    }
}
