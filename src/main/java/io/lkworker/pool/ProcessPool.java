package io.lkworker.pool;

import io.lkworker.logging.Plural;
import io.lkworker.ipc.IpcServer;
import io.lkworker.ipc.PrivateDirectory;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.worker.ExecutorStats;
import io.lkworker.worker.JobEvents;
import io.lkworker.worker.JobExecutor;
import io.lkworker.worker.WorkerMetrics;
import io.lkworker.worker.JobLaunch;
import io.lkworker.worker.JobOutcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default job executor: a pool of warm, single-use child JVMs, one per job.
 *
 * <p>Keeps {@code numIdleProcesses} children initialized (agent loaded, prewarm done) and hands
 * them out first-in first-out; the pool refills behind every job. A job that finds no warm child
 * waits, and an extra child is started for it. At most {@code maxConcurrentStarts} children start
 * at once; failed starts back off exponentially; a waiting job fails after a bound rather than
 * waiting forever.
 *
 * <p>Everything here runs on the event-loop thread (the {@link JobExecutor} contract); child
 * processes report through their IPC channels on the same loop.
 */
public final class ProcessPool implements JobExecutor, ChildProcess.Owner {

    private static final Logger log = LoggerFactory.getLogger(ProcessPool.class);
    /** Beyond initializeTimeout, how long a job may wait for a child (JVM start and one backoff step). */
    private static final long WAIT_MARGIN_MILLIS = 5000;
    /** A waiting job fails after this many failed child starts, instead of waiting out its deadline. */
    private static final int MAX_FAILED_STARTS_PER_WAITING_JOB = 3;

    /**
     * The replacement for a child that just took a job starts this much later: a JVM start eats
     * both cores of a small machine for a while, and the job's own start comes first.
     */
    private static final long REFILL_DELAY_MILLIS = 200;

    private record Waiting(JobLaunch launch, JobEvents events, Timer deadline, int[] failedStarts) {
    }

    private final EventLoop loop;
    /** Replaced by a dev-mode reload (another agent jar). Loop thread. */
    private PoolOptions options;
    private final ArrayDeque<ChildProcess> idle = new ArrayDeque<>();
    private final Set<ChildProcess> starting = new LinkedHashSet<>();
    private final Map<String, ChildProcess> running = new LinkedHashMap<>();
    /** Children asked to stop (or dying) that have not exited yet. */
    private final Set<ChildProcess> stopping = new LinkedHashSet<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final SpawnBackoff backoff = new SpawnBackoff();
    private int idleTarget;
    private int spawned;
    private String lastStartError;
    private Timer reconcileTimer;
    private Path runDir;
    private IpcServer ipc;
    /**
     * Made on the first spawn, not at start (child class path, the agent jar's scan for room use, the
     * class-data archive's key): before registration the pool starts nothing, and the register
     * request must not wait for a scan of the agent jar. Replaced on reload.
     */
    private ChildLauncher launcher;
    /**
     * The first launcher, being made on a thread of its own: packing a class-path directory (development
     * and test layouts), scanning the agent jar and reading the archive's key took seconds on a busy
     * machine, and on the loop that delayed the first availability answers after registering past the
     * server's timeout. Completed on that thread; read and cleared on the loop.
     */
    private CompletableFuture<ChildLauncher> launcherSetup;
    private MemoryWatch memoryWatch;
    private boolean started;
    private boolean closing;
    private Runnable onClosed;
    private WorkerMetrics metrics = WorkerMetrics.NONE;
    /** One daemon thread that ends the process groups of exited children (it reads /proc). */
    private final java.util.concurrent.ExecutorService groupKiller =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "lkw-group-killer");
                t.setDaemon(true);
                return t;
            });
    private int pendingGroupKills;
    /** CPU ticks used by children without a job (starting, prewarming, idle) and by children with one. */
    private long warmupTicks;
    private long jobTicks;
    /** Moving average of spawn → ready, in seconds (0 until a child was ready). */
    private double startSeconds;
    private final ChildLogForwarder logForwarder = new ChildLogForwarder();

    public ProcessPool(EventLoop loop, PoolOptions options) {
        this.loop = loop;
        this.options = options;
        this.idleTarget = options.numIdleProcesses();
    }

    /** Where kill and initialize events are counted. Before {@link #start()}. */
    public ProcessPool withMetrics(WorkerMetrics m) {
        this.metrics = m;
        return this;
    }

    @Override
    public ChildLogForwarder logForwarder() {
        return logForwarder;
    }

    @Override
    public void onKilled(ChildProcess child, String category) {
        metrics.processKilled(category);
    }

    @Override
    public void start() {
        assert loop.inLoop();
        if (started) {
            return;
        }
        try {
            runDir = PrivateDirectory.create(options.runDir(), "lkw-pool-");
            ipc = IpcServer.open(loop, runDir);
        } catch (IOException e) {
            PrivateDirectory.deleteQuietly(runDir);
            throw new IllegalStateException("cannot open the IPC socket for job processes in "
                    + (runDir != null ? runDir : options.runDir()) + ": " + describe(e), e);
        }
        started = true;
        memoryWatch = new MemoryWatch(loop, options.memorySampleInterval(), this::liveChildren);
        memoryWatch.start();
        log.info("process pool started: {}, IPC at {}", Plural.of(idleTarget, "warm child", "warm children"), ipc.socketPath());
        reconcile();
    }

    @Override
    public void launch(JobLaunch launch, JobEvents events) {
        assert loop.inLoop();
        if (closing || !started) {
            events.onEnded(launch.jobId(), JobOutcome.failed("job executor is " + (closing ? "closed" : "not started")));
            return;
        }
        ChildProcess child = idle.pollFirst();
        if (child != null) {
            assign(child, launch, events, true);
        } else {
            long bound = options.initializeTimeout().toMillis() + WAIT_MARGIN_MILLIS;
            org.slf4j.MDC.put("job_id", launch.jobId());
            org.slf4j.MDC.put("room", launch.roomName());
            try {
                log.info("no warm process for job {}; waiting for one (at most {} ms)", launch.jobId(), bound);
            } finally {
                org.slf4j.MDC.remove("job_id");
                org.slf4j.MDC.remove("room");
            }
            int[] failures = {0};
            Waiting[] self = new Waiting[1];
            Timer deadline = loop.schedule(bound, () -> {
                if (waiting.remove(self[0])) {
                    failWaiting(self[0], lastStartError != null ? lastStartError : "none ready within " + bound + " ms");
                }
            });
            self[0] = new Waiting(launch, events, deadline, failures);
            waiting.add(self[0]);
            reconcile();
        }
    }

    /** {@code warm}: the child was idle and ready when the job came (else it was started for a waiting job). */
    private void assign(ChildProcess child, JobLaunch launch, JobEvents events, boolean warm) {
        backoff.onSuccess();
        running.put(launch.jobId(), child);
        child.startJob(launch, events, warm);
        child.withMdc(() -> log.debug("job {} assigned to child #{}", launch.jobId(), child.number()));
        loop.schedule(REFILL_DELAY_MILLIS, this::reconcile);
    }

    private void failWaiting(Waiting w, String why) {
        w.deadline().cancel();
        log.error("job {} failed: no job process became available: {}", w.launch().jobId(), why);
        w.events().onEnded(w.launch().jobId(), JobOutcome.failed("no job process became available: " + why));
    }

    @Override
    public boolean terminate(String jobId, String reason) {
        assert loop.inLoop();
        ChildProcess child = running.get(jobId);
        if (child != null) {
            child.requestShutdown(reason);
            return true;
        }
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (w.launch().jobId().equals(jobId)) {
                it.remove();
                w.deadline().cancel();
                w.events().onEnded(jobId, JobOutcome.failed("terminated before it started: " + reason));
                return true;
            }
        }
        return false;
    }

    @Override
    public void close(String reason, Runnable onClosed) {
        assert loop.inLoop();
        if (closing) {
            return;
        }
        closing = true;
        if (!started) {
            onClosed.run();
            return;
        }
        this.onClosed = onClosed;
        if (reconcileTimer != null) {
            reconcileTimer.cancel();
        }
        while (!waiting.isEmpty()) {
            Waiting w = waiting.poll();
            w.deadline().cancel();
            w.events().onEnded(w.launch().jobId(), JobOutcome.failed("worker shutting down: " + reason));
        }
        List<ChildProcess> all = new ArrayList<>(liveChildren());
        log.info("closing the process pool ({}): {}", reason, Plural.of(all.size(), "child", "children"));
        for (ChildProcess child : all) {
            child.requestShutdown(reason);
        }
        idle.clear();
        stopping.addAll(all);
        starting.clear();
        running.clear();
        finishCloseIfDone();
    }

    @Override
    public void closeNow(String reason, Runnable onClosedNow) {
        assert loop.inLoop();
        if (!closing) {
            close(reason, onClosedNow);
        }
        // Each kill's exit (reaped in milliseconds) reports the job failed and, with the last one,
        // runs the close callback.
        for (ChildProcess child : liveChildren()) {
            child.killNow(reason);
        }
    }

    /**
     * Dev-mode reload: children started from now on load {@code agent}'s jar; idle children warmed
     * with the old code are retired and replaced. Running jobs keep their children.
     */
    @Override
    public void reload(io.lkworker.runner.LoadedAgent agent) {
        assert loop.inLoop();
        options = options.withAgent(agent.jar(), agent.className());
        if (!started || closing) {
            return;
        }
        launcher = new ChildLauncher(options, ipc.socketPath(), runDir);
        launcherSetup = null; // one still being made has the old agent
        List<ChildProcess> stale = new ArrayList<>(idle);
        stale.addAll(starting);
        idle.clear();
        starting.clear();
        for (ChildProcess child : stale) {
            stopping.add(child);
            child.requestShutdown("agent code reloaded");
        }
        log.info("process pool reloaded with {}: retiring {}", agent.jar(), Plural.of(stale.size(), "warm child", "warm children"));
        reconcile();
    }

    @Override
    public ExecutorStats stats() {
        return new ExecutorStats(idle.size(), starting.size(), running.size());
    }

    @Override
    public io.lkworker.worker.JobUsage usage(String jobId) {
        ChildProcess child = running.get(jobId);
        return child == null ? io.lkworker.worker.JobUsage.UNKNOWN : child.usage();
    }

    @Override
    public void setIdleTarget(int n) {
        assert loop.inLoop();
        idleTarget = Math.max(0, n);
        reconcile();
    }

    /** Live children (any state but exited). Loop thread. */
    List<ChildProcess> liveChildren() {
        List<ChildProcess> all = new ArrayList<>(idle);
        all.addAll(starting);
        all.addAll(running.values());
        all.addAll(stopping);
        return all;
    }

    /** Pids of the idle children, oldest first (tests, benchmarks). Loop thread. */
    public List<Long> idlePids() {
        return idle.stream().map(ChildProcess::pid).toList();
    }

    /** Pids of every live child. Loop thread. */
    public List<Long> childPids() {
        return liveChildren().stream().map(ChildProcess::pid).toList();
    }

    /** Children started since the pool started (tests: bounded respawning). Loop thread. */
    public int spawnedCount() {
        return spawned;
    }

    // ---- keeping the pool full ----

    /** Starts as many children as are missing, within the concurrency limit and the backoff. */
    private void reconcile() {
        if (closing || !started) {
            return;
        }
        int wanted = idleTarget + waiting.size() - idle.size() - starting.size();
        while (wanted > 0 && starting.size() < options.maxConcurrentStarts()) {
            long wait = backoff.remainingMillis(loop.clock().nanos());
            if (wait > 0) {
                scheduleReconcile(wait);
                return;
            }
            if (!spawn()) {
                return;
            }
            wanted--;
        }
    }

    private void scheduleReconcile(long delayMillis) {
        if (reconcileTimer != null && !reconcileTimer.isCancelled()) {
            return;
        }
        reconcileTimer = loop.schedule(delayMillis, () -> {
            reconcileTimer = null;
            reconcile();
        });
    }

    private boolean spawn() {
        if (launcher == null) {
            setUpLauncher();
            return false; // reconcile runs again when the launcher is ready
        }
        int number = ++spawned;
        String secret = IpcServer.newSecret();
        ChildLauncher.Launched launched;
        try {
            launched = launcher.launch(number, secret);
        } catch (IOException e) {
            failedToStart("cannot start a JVM: " + e.getMessage());
            return false;
        }
        ChildProcess child = new ChildProcess(loop, options, this, number, launched);
        ipc.expect(secret, child.pid(), child::onConnected);
        starting.add(child);
        child.withMdc(() -> log.debug("started child #{}{}", number,
                launched.cds().training() ? " (writes the class-data sharing archive at exit)" : ""));
        return true;
    }

    /** Starts making the first launcher off the loop, once; {@link #onLauncherSetUp} takes it on the loop. */
    private void setUpLauncher() {
        if (launcherSetup != null) {
            return;
        }
        CompletableFuture<ChildLauncher> setup = new CompletableFuture<>();
        launcherSetup = setup;
        PoolOptions forLauncher = options;
        Path socket = ipc.socketPath();
        Path dir = runDir;
        Thread t = new Thread(() -> {
            try {
                setup.complete(new ChildLauncher(forLauncher, socket, dir));
            } catch (RuntimeException | Error e) {
                setup.completeExceptionally(e);
            }
            loop.execute(() -> onLauncherSetUp(setup));
        }, "lkw-launcher-setup");
        t.setDaemon(true);
        t.start();
    }

    private void onLauncherSetUp(CompletableFuture<ChildLauncher> setup) {
        if (setup != launcherSetup) {
            return; // a reload made its own
        }
        launcherSetup = null;
        try {
            launcher = setup.join();
        } catch (java.util.concurrent.CompletionException e) {
            failedToStart("cannot prepare job processes: " + e.getCause());
            return;
        }
        reconcile();
    }

    /** No child could be started: said once, and the next try waits for the backoff. */
    private void failedToStart(String error) {
        lastStartError = error;
        long delay = backoff.onFailure(loop.clock().nanos());
        log.error("{}; retrying in {} ms", lastStartError, delay);
        scheduleReconcile(delay);
    }

    /**
     * Attributes the children's CPU time since the last sample: warm-up (no job yet) or jobs. Loop
     * thread, every load sample (0.5 s): one small /proc read per live child.
     */
    @Override
    public io.lkworker.load.OwnCpu.Usage ownCpu() {
        for (ChildProcess child : starting) {
            warmupTicks += child.cpuTicksSinceLastCall();
        }
        for (ChildProcess child : idle) {
            warmupTicks += child.cpuTicksSinceLastCall();
        }
        for (ChildProcess child : running.values()) {
            jobTicks += child.cpuTicksSinceLastCall();
        }
        for (ChildProcess child : stopping) {
            // retired idle or failed starts: warm-up spent (a job's process stays in running until it exits)
            warmupTicks += child.cpuTicksSinceLastCall();
        }
        return new io.lkworker.load.OwnCpu.Usage((long) (warmupTicks * io.lkworker.load.CpuLoadMonitor.NANOS_PER_TICK),
                (long) (jobTicks * io.lkworker.load.CpuLoadMonitor.NANOS_PER_TICK));
    }

    @Override
    public boolean measuresJobCpu() {
        return true;
    }

    @Override
    public double startSeconds() {
        return startSeconds;
    }

    @Override
    public void onReady(ChildProcess child) {
        starting.remove(child);
        warmupTicks += child.cpuTicksSinceLastCall(); // its start and prewarm were warm-up, whatever comes next
        double seconds = (loop.clock().nanos() - child.spawnedNanos()) / 1e9;
        startSeconds = startSeconds == 0 ? seconds : 0.8 * startSeconds + 0.2 * seconds;
        metrics.processInitialized(seconds);
        backoff.onReady();
        lastStartError = null;
        if (closing) {
            stopping.add(child);
            child.requestShutdown("pool closing");
            return;
        }
        Waiting w = waiting.poll();
        if (w != null) {
            w.deadline().cancel();
            assign(child, w.launch(), w.events(), false);
        } else {
            idle.addLast(child);
            reconcile();
        }
    }

    @Override
    public void onStartFailed(ChildProcess child, String reason) {
        starting.remove(child);
        stopping.add(child);
        ipc.forget(child.pid());
        if (closing) {
            return;
        }
        lastStartError = reason;
        long delay = backoff.onFailure(loop.clock().nanos());
        log.warn("job process start failed ({} in a row), next start in {} ms: {}",
                backoff.consecutiveFailures(), delay, reason);
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (++w.failedStarts()[0] >= MAX_FAILED_STARTS_PER_WAITING_JOB) {
                it.remove();
                failWaiting(w, reason);
            }
        }
        scheduleReconcile(delay);
    }

    @Override
    public void onExited(ChildProcess child) {
        ipc.forget(child.pid());
        if (child.launched().ownGroup()) {
            endGroup(child);
        }
        starting.remove(child);
        stopping.remove(child);
        if (idle.remove(child) && !closing) {
            // A warm child that dies on its own (crash, OOM kill) counts as a failed start: replacing
            // it at once would loop at full CPU when every child dies shortly after its prewarm.
            lastStartError = "idle process exited: " + ChildProcess.describeExit(child.exitCode());
            long delay = backoff.onFailure(loop.clock().nanos());
            child.withMdc(() -> log.warn("{} ({} in a row), next start in {} ms", lastStartError,
                    Plural.of(backoff.consecutiveFailures(), "failure", "failures"), delay));
            scheduleReconcile(delay);
        }
        if (child.jobId() != null) {
            running.remove(child.jobId(), child);
        }
        launcher.cds().trainerExited(child.launched().cds(), child.exitCode());
        if (closing) {
            finishCloseIfDone();
        } else {
            reconcile();
        }
    }

    /** An I/O error in words: the JDK's file exceptions carry only the path as their message. */
    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                ? fs.getFile() + ": " + fs.getReason()
                : kind + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * Ends what the child's job left running in its process group (grandchildren outlive a SIGKILL of
     * their parent and a normal job end alike). Reading /proc takes milliseconds: done on the
     * group-killer thread, reported back to the loop; the pool is not closed before it is done.
     */
    private void endGroup(ChildProcess child) {
        pendingGroupKills++;
        long pgid = child.pid();
        groupKiller.execute(() -> {
            int killed = ProcessGroups.killGroup(pgid);
            loop.execute(() -> {
                pendingGroupKills--;
                if (killed > 0) {
                    child.withMdc(() -> log.warn("killed {} the job left behind (process group {})",
                            Plural.of(killed, "process", "processes"), pgid));
                }
                finishCloseIfDone();
            });
        });
    }

    private void finishCloseIfDone() {
        if (!closing || !liveChildren().isEmpty() || onClosed == null || pendingGroupKills > 0) {
            return;
        }
        groupKiller.shutdown();
        Runnable done = onClosed;
        onClosed = null;
        memoryWatch.close();
        ipc.close();
        PrivateDirectory.deleteQuietly(runDir);
        log.info("process pool closed");
        done.run();
    }
}
