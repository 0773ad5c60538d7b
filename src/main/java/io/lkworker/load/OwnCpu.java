package io.lkworker.load;

/**
 * CPU time the worker's own job processes used, split by what it was for: warming the pool
 * (starting, prewarming, waiting idle) or running jobs. Both counters are cumulative nanoseconds;
 * only their deltas between two samples mean anything. Called on the loop thread at each load sample.
 */
public interface OwnCpu {

    /** Cumulative CPU time: {@code warmup} of processes without a job, {@code jobs} of processes running one. */
    record Usage(long warmupNanos, long jobNanos) {
    }

    Usage sample();

    /** Nothing to attribute (the thread executor: its jobs are threads of the daemon). */
    OwnCpu NONE = () -> new Usage(0, 0);
}
