package io.lkworker.worker;

import io.lkworker.load.CpuLoadMonitor;
import io.lkworker.load.LoadMonitor;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.serverlink.ServerLink;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import livekit.LivekitAgent;
import livekit.LivekitAgent.WorkerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's capacity and its reports of it: whether it is full (load, the running jobs' measured
 * cost, reservations, draining), why, the periodic {@code UpdateWorkerStatus} (status, load, job
 * count) and the warm-pool target that follows from the capacity left. Reads the {@link Worker}'s
 * jobs; decides nothing about them. Loop thread only; logs under {@link Worker}'s logger.
 */
final class StatusReporter {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    /** One load window (5 samples of 0.5 s): how long a new job's CPU takes to enter the sampled load fully. */
    private static final long LOAD_WINDOW_NANOS = LoadMonitor.SAMPLE_INTERVAL_MILLIS * CpuLoadMonitor.WINDOW * 1_000_000L;

    private final EventLoop loop;
    private final LoadMonitor load;
    private final Capacity capacity;
    private final JobExecutor executor;
    private final AvailabilityHandler availability;
    private final Map<String, RunningJob> jobs;
    private final BooleanSupplier draining;
    private final Supplier<ServerLink> link;
    private final PoolSizer poolSizer = new PoolSizer();
    private Timer statusTimer;
    private boolean lastReportedFull;
    /** Whether the last status sent said available; null before the first one (the first is logged too). */
    private Boolean lastLoggedAvailable;
    /** Below this many jobs on average over the load window, one job's cost is not measured. */
    private static final double MIN_AVERAGE_JOBS = 0.2;
    /** Jobs with a process, averaged over the same window as the job CPU they divide. */
    private final io.lkworker.load.MovingAverage jobCount = new io.lkworker.load.MovingAverage(CpuLoadMonitor.WINDOW);
    /** The measured CPU share of one running job (NaN until a job has been measured); kept after jobs end. */
    private double perJobLoad = Double.NaN;
    /** The warm-pool size last asked of the executor; -1 before the first retarget. */
    private int idleTarget = -1;

    /** {@code jobs} is the worker's live map of running jobs (read only here). */
    StatusReporter(EventLoop loop, LoadMonitor load, Capacity capacity, JobExecutor executor,
            AvailabilityHandler availability, Map<String, RunningJob> jobs, BooleanSupplier draining,
            Supplier<ServerLink> link) {
        this.loop = loop;
        this.load = load;
        this.capacity = capacity;
        this.executor = executor;
        this.availability = availability;
        this.jobs = jobs;
        this.draining = draining;
        this.link = link;
    }

    /** Sends the status every {@code intervalMillis} from now on (once: later calls do nothing). */
    void startPeriodic(long intervalMillis) {
        if (statusTimer == null) {
            statusTimer = loop.scheduleAtFixedRate(intervalMillis, intervalMillis, this::sendStatus);
        }
    }

    void stopPeriodic() {
        if (statusTimer != null) {
            statusTimer.cancel();
        }
    }

    /** Whether one more job fits now (offers ask this). */
    boolean canTakeJob() {
        return capacity.canTakeJob(load.load(), perJobLoad, jobs.size(), availability.reservedSlots(), unsampledJobs());
    }

    boolean isFullNow() {
        return draining.getAsBoolean()
                || capacity.isFull(load.load(), perJobLoad, jobs.size(), availability.reservedSlots(), unsampledJobs());
    }

    /** Whether being full or not differs from what the server was last told. */
    boolean fullnessChanged() {
        return isFullNow() != lastReportedFull;
    }

    /** A job arrived: demand for the warm pool. */
    void jobArrived() {
        poolSizer.arrived(loop.clock().nanos());
    }

    /** The running jobs' part the moving-average load cannot show yet: 1 at launch, 0 one window later (see {@link Capacity}). */
    private double unsampledJobs() {
        long now = loop.clock().nanos();
        double sum = 0;
        for (RunningJob job : jobs.values()) {
            double age = (now - job.launchedAtNanos()) / (double) LOAD_WINDOW_NANOS;
            if (age < 1) {
                sum += 1 - Math.max(0, age);
            }
        }
        return sum;
    }

    /** Why the worker is (or is not) available, for the log line and /worker. */
    String availabilityReason() {
        if (draining.getAsBoolean()) {
            return "draining";
        }
        return capacity.explain(load.load(), perJobLoad, jobs.size(), availability.reservedSlots(), unsampledJobs());
    }

    /**
     * The CPU share of one job: what the running job processes used (the process executor measures
     * it apart from the pool's warm-up), else the load itself (thread executor), over the running jobs.
     */
    void measurePerJobLoad() {
        // The job CPU is a moving average over the load window: divided by the jobs running at this
        // instant only, a job's cost came out several times too high when jobs had just ended (their
        // CPU, and their processes' exit, still in the window; issue 17). So the divisor is the larger
        // of the jobs now and their average over the same window: never fewer jobs than the window's
        // CPU was spent on. The process executor counts its processes with a job, exiting ones
        // included, as its CPU does.
        int count = executor.measuresJobCpu() ? executor.stats().running() : jobs.size();
        jobCount.add(count);
        double averageJobs = Math.max(count, jobCount.value());
        if (averageJobs < MIN_AVERAGE_JOBS) {
            return; // too little job time in the window to measure one job's cost: keep the last measure
        }
        double share = executor.measuresJobCpu() ? load.jobLoad() : Capacity.clamp(load.load());
        perJobLoad = share / averageJobs;
    }

    /** Tells the server whether the worker is available, its load and job count (when registered). */
    void sendStatus() {
        ServerLink server = link.get();
        if (server == null || !server.isRegistered()) {
            return;
        }
        boolean full = isFullNow();
        if (lastLoggedAvailable == null || full == lastLoggedAvailable) {
            String why = availabilityReason();
            log.info(full ? "worker is full; marking unavailable: {}" : "worker has capacity; marking available: {}", why);
            lastLoggedAvailable = !full;
        }
        lastReportedFull = full;
        server.send(WorkerMessage.newBuilder().setUpdateWorker(LivekitAgent.UpdateWorkerStatus.newBuilder()
                .setStatus(full ? LivekitAgent.WorkerStatus.WS_FULL : LivekitAgent.WorkerStatus.WS_AVAILABLE)
                .setLoad((float) Capacity.clamp(load.load()))
                .setJobCount(jobs.size())).build());
    }

    /** The warm pool size the worker starts with (before registration: none). */
    void initialIdleTarget(int target) {
        executor.setIdleTarget(target);
        idleTarget = target;
    }

    /**
     * Keeps the warm pool no larger than the jobs the worker can still take (see {@link Capacity#idleTarget});
     * none while draining or before the first registration.
     */
    void retargetIdle(boolean registeredOnce) {
        int wanted = Math.max(poolSizer.wanted(capacity.idleProcesses(), loop.clock().nanos(), executor.startSeconds()),
                availability.acceptedAwaitingAssignment()); // offers in flight are demand: start their processes now
        wanted = Math.min(wanted, Math.max(capacity.idleProcesses(), poolSizer.memoryCap(loop.clock().nanos())));
        int target = draining.getAsBoolean() || !registeredOnce ? 0
                : capacity.idleTarget(wanted, load.load(), perJobLoad, jobs.size(), availability.reservedSlots(),
                        unsampledJobs());
        if (target != idleTarget) {
            if (idleTarget >= 0) {
                log.debug("warm pool target {} -> {}", idleTarget, target);
            }
            idleTarget = target;
            executor.setIdleTarget(target);
        }
    }
}
