package io.lkworker.worker;

/**
 * Runs accepted jobs. Two implementations sit behind this interface: the process pool (a warm,
 * single-use child JVM per job, the default) and the thread executor (jobs on threads inside the
 * daemon).
 *
 * <p>Every method is called on the event-loop thread, and every {@link JobEvents} callback is
 * delivered on the event-loop thread.
 */
public interface JobExecutor {

    /** Begins warming (for the pool: start the idle children). */
    void start();

    /**
     * Starts a job. The executor reports {@link JobEvents#onRunning} once the job's entrypoint is
     * about to run and exactly one {@link JobEvents#onEnded} when it is over, whatever happens.
     */
    void launch(JobLaunch launch, JobEvents events);

    /** Asks a running job to shut down gracefully; unknown ids are ignored. Returns whether it was known. */
    boolean terminate(String jobId, String reason);

    /**
     * Stops everything: running jobs get a graceful shutdown, then are killed; idle capacity is
     * released. {@code onClosed} runs on the loop once nothing is left running.
     */
    void close(String reason, Runnable onClosed);

    /**
     * Stops everything now (a second signal): every running job is killed at once and reported
     * through {@link JobEvents#onEnded} as failed with {@code reason}; idle capacity is released.
     * May follow {@link #close}. {@code onClosed} runs on the loop once nothing is left running,
     * unless an earlier close's callback does.
     */
    void closeNow(String reason, Runnable onClosed);

    /** Current capacity, for status reports and health. */
    ExecutorStats stats();

    /**
     * Dev-mode hot reload: jobs launched from now on run {@code agent} (loaded from its jar); idle
     * capacity prepared with the old code is replaced. Running jobs are not touched here.
     */
    default void reload(io.lkworker.runner.LoadedAgent agent) {
    }

    /**
     * What a running job costs now, as far as this executor can measure it ({@link JobUsage#UNKNOWN}
     * for an unknown id). Loop thread; must be quick (no I/O): the worker asks at every publish of its
     * snapshot, which the load timer does every 0.5 s.
     */
    default JobUsage usage(String jobId) {
        return JobUsage.UNKNOWN;
    }

    /** CPU time of the executor's job processes, warm-up and jobs apart (see {@link io.lkworker.load.OwnCpu}). */
    default io.lkworker.load.OwnCpu.Usage ownCpu() {
        return io.lkworker.load.OwnCpu.NONE.sample();
    }

    /** Whether {@link #ownCpu()} measures the jobs' CPU apart from the daemon's (separate processes). */
    default boolean measuresJobCpu() {
        return false;
    }

    /** Typical time to start a job process and prewarm it, in seconds (0 = none to start: threads). */
    default double startSeconds() {
        return 0;
    }

    /** Number of children kept warm; the pool may be shrunk while the worker is full. */
    default void setIdleTarget(int idle) {
    }
}
