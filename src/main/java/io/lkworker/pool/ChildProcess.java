package io.lkworker.pool;

import io.lkworker.ipc.IpcChannel;
import io.lkworker.ipc.proto.Ipc;
import io.lkworker.load.ProcCpu;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.worker.JobEvents;
import io.lkworker.worker.JobLaunch;
import io.lkworker.worker.JobOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The daemon's handle on one child JVM's lifecycle: its state machine ({@link ChildState}), its
 * timers (initialize deadline, pings, shutdown escalation), kills, its exit and, once it has one,
 * its job. What goes over its IPC channel is encoded and decoded by {@link ChildIpc}; its raw
 * output file is handled by {@link ChildOutput}. Loop thread only. Reports to its {@link Owner}
 * (the pool) and to the job's {@link JobEvents}.
 *
 * <p>A job's end is reported as soon as the child says it is over (entrypoint returned or threw,
 * shutdown callbacks run, room left): the process then only has to exit, which is supervised as
 * before (bounded by {@code --shutdown-timeout}, then killed and counted). Every log line written
 * before the final status has been forwarded by then (the channel is ordered). A child that dies
 * without a final status is finished when both its process has exited and its channel is drained;
 * only then is that job's outcome decided, from how it died.
 */
final class ChildProcess implements ChildIpc.Events {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    /** After the process exits the kernel closes its socket at once; this only guards against a stuck channel. */
    private static final long DRAIN_AFTER_EXIT_MILLIS = 2000;
    /** How long a job's entrypoint may take to unwind after its interrupt (mirrors JobHost's bound). */
    private static final long ENTRYPOINT_UNWIND_MILLIS = 1000;
    /** Slack for the child's own bookkeeping (flush, exit) on top of the configured timeouts. */
    private static final long SHUTDOWN_SLACK_MILLIS = 1000;

    /** What the pool hears about a child. Called on the loop thread. */
    interface Owner {
        void onReady(ChildProcess child);

        void onStartFailed(ChildProcess child, String reason);

        void onExited(ChildProcess child);

        /** The child is being killed; {@code category} is a metrics label (memory, unresponsive, ...). */
        default void onKilled(ChildProcess child, String category) {
        }

        /** Where the child's log records are re-logged. */
        ChildLogForwarder logForwarder();
    }

    private final EventLoop loop;
    private final PoolOptions options;
    private final Owner owner;
    private final int number;
    private final ChildLauncher.Launched launched;
    private final long pid;
    private final long spawnedNanos;
    private final MemoryLimits memory;
    private final ChildOutput output;
    private ChildState state = ChildState.STARTING;
    private ChildIpc ipc;
    private Timer initTimer;
    private Timer pingTimer;
    private Timer shutdownTimer;
    private PingMonitor ping;
    private JobLaunch job;
    private JobEvents events;
    /** The job found this child ready (a warm start) rather than waiting for it to start. */
    private boolean warmStart;
    private Ipc.JobStatus finalStatus;
    /** The job's end was reported to {@link #events}; nothing later changes it. */
    private boolean endReported;
    private long finalStatusNanos;
    private String killReason;
    private boolean startFailureReported;
    private boolean stopRequested;
    private Integer exitCode;
    private boolean channelClosed;
    /** The child announced its exit; a reset connection after that is not a failure. */
    private boolean exiting;
    /** CPU ticks (utime + stime) already attributed by {@link #cpuTicksSinceLastCall()}. */
    private long cpuTicksSeen;
    /** Its CPU and memory as sampled, and its job's room counts: for /worker and the per-job metrics. */
    private final ChildUsage usage = new ChildUsage();

    ChildProcess(EventLoop loop, PoolOptions options, Owner owner, int number, ChildLauncher.Launched launched) {
        this.loop = loop;
        this.options = options;
        this.owner = owner;
        this.number = number;
        this.launched = launched;
        this.pid = launched.process().pid();
        this.spawnedNanos = loop.clock().nanos();
        this.memory = new MemoryLimits(options.memoryWarnMb(), options.memoryLimitMb());
        this.output = new ChildOutput(launched.outputFile(), this::withMdc);
        // Covers JVM start, connecting and prewarm: an agent whose prewarm hangs must not hold a slot.
        this.initTimer = loop.schedule(options.initializeTimeout().toMillis(), () -> {
            if (state.starting()) {
                failStart("not ready within " + options.initializeTimeout().toMillis() + " ms (prewarm too slow?)");
            }
        });
        launched.process().onExit().thenRun(() -> loop.execute(this::onProcessExit));
    }

    long pid() {
        return pid;
    }

    int number() {
        return number;
    }

    ChildState state() {
        return state;
    }

    String jobId() {
        return job == null ? null : job.jobId();
    }

    ChildLauncher.Launched launched() {
        return launched;
    }

    Integer exitCode() {
        return exitCode;
    }

    boolean hasJob() {
        return job != null;
    }

    // ---- connection and initialization ----

    /** The IPC server verified this child's Hello. */
    void onConnected(IpcChannel ch) {
        assert loop.inLoop();
        ipc = new ChildIpc(ch, this,
                record -> owner.logForwarder().forward(record, pid, jobId(), job == null ? null : job.roomName()),
                this::withMdc);
        if (state != ChildState.STARTING) {
            ipc.close("child is " + state);
            return;
        }
        state = ChildState.CONNECTED;
        ipc.initialize(options);
        state = ChildState.INITIALIZING;
    }

    @Override
    public void onExiting() {
        exiting = true;
    }

    @Override
    public void onInitialized(Ipc.InitializeResponse response) {
        if (state != ChildState.INITIALIZING) {
            return;
        }
        initTimer.cancel();
        if (!response.getError().isEmpty()) {
            failStart("prewarm failed: " + response.getError());
            return;
        }
        state = ChildState.IDLE;
        long readyMs = (loop.clock().nanos() - spawnedNanos) / 1_000_000;
        withMdc(() -> log.debug("child ready in {} ms (prewarm {} ms)", readyMs, response.getPrewarmMs()));
        ping = new PingMonitor(options.pingTimeout().toMillis(), loop.clock().nanos());
        long interval = options.pingInterval().toMillis();
        pingTimer = loop.scheduleAtFixedRate(interval, interval, this::pingTick);
        owner.onReady(this);
    }

    private void failStart(String reason) {
        if (startFailureReported) {
            return;
        }
        startFailureReported = true;
        withMdc(() -> log.warn("child failed to start: {}", reason));
        owner.onKilled(this, reason.contains("timed out") || reason.contains("within") ? "initialize_timeout"
                : "initialize_failed");
        killQuietly();
        owner.onStartFailed(this, reason);
    }

    // ---- the job ----

    /** Hands this (idle) child its one job. */
    void startJob(JobLaunch launch, JobEvents jobEvents, boolean warm) {
        assert loop.inLoop() && state == ChildState.IDLE;
        job = launch;
        events = jobEvents;
        warmStart = warm;
        state = ChildState.RUNNING;
        usage.jobStarted(ProcCpu.ticks(pid)); // a read of ~300 bytes from /proc: fine on the loop, once per job
        if (ipc == null || !ipc.startJob(launch)) {
            kill("could not send the job to its process: IPC channel closed");
        }
    }

    @Override
    public void onJobStatus(Ipc.JobStatus status) {
        if (job == null) {
            return;
        }
        if (status.getState() == Ipc.JobState.JOB_RUNNING) {
            events.onRunning(job.jobId(), pid, warmStart);
        } else if (finalStatus == null) {
            finalStatus = status;
            finalStatusNanos = loop.clock().nanos();
            if (killReason == null) {
                // The job is over: report it now, not when the JVM has finished exiting (that took
                // 400-450 ms of the server's view of every job). The exit is still supervised.
                reportEnd();
                if (state == ChildState.RUNNING) {
                    state = ChildState.STOPPING;
                    long ms = options.shutdownTimeout().toMillis();
                    replaceShutdownTimer(ms, "job process did not exit within " + ms + " ms after its job ended, killed");
                }
            }
        }
    }

    /** Tells the job's listener how it ended; once. */
    private void reportEnd() {
        if (endReported) {
            return;
        }
        endReported = true;
        JobOutcome outcome = outcome();
        withMdc(() -> {
            if (outcome.success()) {
                log.info("job ended");
            } else {
                log.warn("job failed: {}", outcome.error());
            }
        });
        // The process usually still runs here (it reported its end): its CPU time is read now, once.
        events.onEnded(job.jobId(), outcome, usage.cost(exitCode == null ? ProcCpu.ticks(pid) : -1));
    }

    // ---- supervision ----

    private void pingTick() {
        if (ipc == null || !ipc.isOpen() || exitCode != null) {
            return;
        }
        output.bound();
        long now = loop.clock().nanos();
        if (ping.timedOut(now)) {
            kill("job process unresponsive for " + options.pingTimeout().toSeconds() + " s, killed");
            return;
        }
        ipc.ping(loop.clock().wallMillis());
    }

    @Override
    public void onPong(Ipc.Pong pong) {
        if (ping == null) {
            return;
        }
        long latency = ping.onPong(pong.getLastTimestampMs(), loop.clock().wallMillis(), loop.clock().nanos());
        if (latency > PingMonitor.HIGH_LATENCY_MILLIS) {
            withMdc(() -> log.warn("child is slow to answer pings: pong after {} ms", latency));
        }
    }

    /** A reading of the sampler (MemoryWatch). */
    void onSample(ProcSample sample) {
        if (exitCode != null) {
            return;
        }
        usage.onSample(sample);
        if (sample.rssBytes() >= 0) {
            onMemorySample(sample.rssBytes());
        }
    }

    /** What this child's job costs now. */
    io.lkworker.worker.JobUsage usage() {
        return usage.usage();
    }

    @Override
    public void onRoomStats(Ipc.RoomStats stats) {
        usage.onRoomStats(stats.getParticipants(), stats.getTracks());
    }

    private void onMemorySample(long rssBytes) {
        if (!memory.enabled()) {
            return;
        }
        long mb = rssBytes / (1024 * 1024);
        switch (memory.observe(rssBytes, loop.clock().nanos())) {
            case KILL -> {
                // Over the limit is over the warning level too: say so even when one sample jumped past both.
                if (memory.warnMb() > 0) {
                    withMdc(() -> log.warn("child uses {} MB of resident memory, above the warning level of {} MB"
                            + " (limit {} MB)", mb, memory.warnMb(), memory.limitMb()));
                }
                kill("killed: resident memory " + mb + " MB over the limit of " + memory.limitMb() + " MB");
            }
            case WARN -> withMdc(() -> log.warn("child uses {} MB of resident memory, above the warning level of {} MB{}",
                    mb, memory.warnMb(), memory.limitMb() > 0 ? " (limit " + memory.limitMb() + " MB)" : " (advisory only)"));
            default -> { }
        }
    }

    // ---- shutdown ----

    /** Asks the child to stop: gracefully over IPC once it is initialized, else by killing it. */
    void requestShutdown(String reason) {
        assert loop.inLoop();
        if (stopRequested || exitCode != null) {
            return;
        }
        stopRequested = true;
        if (state.starting() || ipc == null || !ipc.isOpen()) {
            startFailureReported = true; // an abandoned start is not a failure
            killQuietly();
            state = ChildState.STOPPING;
            return;
        }
        state = ChildState.STOPPING;
        ipc.shutdown(reason);
        long ackMs = options.shutdownTimeout().toMillis();
        replaceShutdownTimer(ackMs, "job process did not acknowledge shutdown within " + ackMs + " ms, killed");
    }

    @Override
    public void onShutdownAck() {
        if (state != ChildState.STOPPING) {
            return;
        }
        // The job now gets its entrypoint grace, the interrupt's unwind, and its shutdown callbacks.
        long ms = options.entrypointGrace().toMillis() + ENTRYPOINT_UNWIND_MILLIS
                + options.shutdownTimeout().toMillis() + SHUTDOWN_SLACK_MILLIS;
        replaceShutdownTimer(ms, "job did not finish its shutdown within " + ms + " ms, killed");
    }

    @Override
    public void onShuttingDown() {
        if (state != ChildState.STOPPING) {
            return;
        }
        long ms = options.shutdownTimeout().toMillis();
        replaceShutdownTimer(ms, "job process did not exit within " + ms + " ms after shutting down, killed");
    }

    private void replaceShutdownTimer(long ms, String killReasonText) {
        if (shutdownTimer != null) {
            shutdownTimer.cancel();
        }
        shutdownTimer = loop.schedule(ms, () -> {
            if (exitCode == null) {
                kill(killReasonText);
            }
        });
    }

    /**
     * Second signal: kill now. A child with a job is killed with {@code reason} (the job's failure);
     * one without is simply removed.
     */
    void killNow(String reason) {
        if (job != null) {
            kill(reason);
        } else {
            stopRequested = true;
            startFailureReported = true; // an abandoned start is not a failure
            killQuietly();
        }
    }

    /** Kills the process (SIGKILL: children ignore SIGTERM by design). The reason is the job's failure. */
    void kill(String reason) {
        if (exitCode != null) {
            return;
        }
        if (killReason == null) {
            killReason = reason;
            owner.onKilled(this, killCategory(reason));
        }
        withMdc(() -> log.error("killing child: {}", reason));
        if (state != ChildState.EXITED) {
            state = ChildState.STOPPING;
        }
        launched.process().destroyForcibly();
    }

    long spawnedNanos() {
        return spawnedNanos;
    }

    /**
     * CPU ticks this process used since the previous call (from {@code /proc/PID/stat}: a read of a
     * few hundred bytes, no blocking I/O); 0 once it is gone.
     */
    long cpuTicksSinceLastCall() {
        if (exitCode != null) {
            return 0;
        }
        long ticks = ProcCpu.ticks(pid);
        if (ticks < cpuTicksSeen) {
            return 0; // gone (or unreadable): -1
        }
        long delta = ticks - cpuTicksSeen;
        cpuTicksSeen = ticks;
        return delta;
    }

    /** A stable metrics label for a kill reason. */
    static String killCategory(String reason) {
        if (reason.contains("memory")) {
            return "memory";
        }
        if (reason.contains("unresponsive")) {
            return "unresponsive";
        }
        if (reason.contains("shutdown") || reason.contains("did not exit")) {
            return "shutdown_timeout";
        }
        if (reason.contains("IPC")) {
            return "ipc";
        }
        if (reason.contains("second signal")) {
            return "forced_stop";
        }
        return "other";
    }

    private void killQuietly() {
        launched.process().destroyForcibly();
    }

    // ---- the end ----

    private void onProcessExit() {
        exitCode = launched.process().exitValue();
        cancelTimers();
        if (state.starting() && !startFailureReported) {
            startFailureReported = true;
            String reason = describeExit(exitCode) + " during startup" + output.hint();
            withMdc(() -> log.warn("child failed to start: {}", reason));
            owner.onStartFailed(this, reason);
        }
        if (ipc == null) {
            channelClosed = true;
        } else if (!channelClosed) {
            loop.schedule(DRAIN_AFTER_EXIT_MILLIS, () -> {
                if (!channelClosed) {
                    ipc.close("not drained " + DRAIN_AFTER_EXIT_MILLIS + " ms after the process exited");
                }
            });
        }
        finishIfDone();
    }

    @Override
    public void onChannelClosed(String error) {
        channelClosed = true;
        if (error != null && exitCode == null && !stopRequested && killReason == null && !exiting) {
            // A protocol violation or broken socket: this child cannot be trusted or reached any more.
            kill("IPC channel failed: " + error);
        } else if (exitCode == null) {
            withMdc(() -> log.debug("child closed its IPC channel{}; waiting for it to exit",
                    error == null ? "" : " (" + error + ")"));
        }
        finishIfDone();
    }

    private void finishIfDone() {
        if (exitCode == null || !channelClosed || state == ChildState.EXITED) {
            return;
        }
        boolean hadJob = job != null;
        state = ChildState.EXITED;
        output.logLeftoverAndDelete();
        if (hadJob && endReported) {
            long ms = (loop.clock().nanos() - finalStatusNanos) / 1_000_000;
            withMdc(() -> {
                if (killReason != null) {
                    log.warn("job process killed after its job ended: {}", killReason);
                } else {
                    log.debug("job process exited (code {}) {} ms after its job ended", exitCode, ms);
                }
            });
        } else if (hadJob) {
            reportEnd();
        } else if (!stopRequested && !startFailureReported) {
            withMdc(() -> log.warn("idle child exited unexpectedly: {}", describeExit(exitCode)));
        }
        owner.onExited(this);
    }

    /**
     * The job's outcome: a job we had to kill failed, with the reason, whatever it reported before
     * (a "succeeded" followed by a shutdown that hung is not a success); else its own final status;
     * else how the process died.
     */
    private JobOutcome outcome() {
        if (killReason != null) {
            return JobOutcome.failed(killReason);
        }
        if (finalStatus != null) {
            return finalStatus.getState() == Ipc.JobState.JOB_SUCCEEDED
                    ? JobOutcome.succeeded() : JobOutcome.failed(finalStatus.getError());
        }
        if (exitCode == 0) {
            return JobOutcome.failed("job process exited with code 0 before the job ended");
        }
        return JobOutcome.failed(describeExit(exitCode));
    }

    static String describeExit(int code) {
        if (code > 128 && code <= 128 + 64) {
            return "job process died (signal " + (code - 128) + ")";
        }
        return "job process exited with code " + code;
    }

    private void cancelTimers() {
        for (Timer t : new Timer[] {initTimer, pingTimer, shutdownTimer}) {
            if (t != null) {
                t.cancel();
            }
        }
    }

    /** Runs {@code body} with this child's pid (and job id, room) in the MDC. */
    void withMdc(Runnable body) {
        MDC.put("pid", Long.toString(pid));
        if (job != null) {
            MDC.put("job_id", job.jobId());
            MDC.put("room", job.roomName());
        }
        try {
            body.run();
        } finally {
            MDC.remove("pid");
            MDC.remove("job_id");
            MDC.remove("room");
        }
    }

    @Override
    public String toString() {
        return "child#" + number + "[pid=" + pid + ", " + state + (job != null ? ", job=" + job.jobId() : "") + "]";
    }
}
