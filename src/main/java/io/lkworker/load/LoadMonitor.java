package io.lkworker.load;

/**
 * The worker's current load in [0, 1], averaged over a short window. Read on the loop thread.
 *
 * <p>What load means: the CPU use of the machine (or container) that limits what the worker's jobs
 * get, <em>minus</em> what the worker spent warming its own pool (starting and prewarming job
 * processes is done ahead of demand; counting it made a worker that refilled its pool after every
 * job report itself full with free slots). The share used by the jobs themselves is {@link #jobLoad()}.
 */
public interface LoadMonitor {

    double load();

    /** The share of CPU capacity the worker's running jobs used over the same window; 0 when unknown. */
    default double jobLoad() {
        return 0;
    }

    /** Where the worker's own CPU use is attributed from (warm-up is left out of {@link #load()}). */
    default void attribute(OwnCpu own) {
    }

    /** Takes one sample; called on the loop every {@code SAMPLE_INTERVAL_MILLIS}. */
    void sample();

    /** Sampling period: 0.5 s, averaged over 5 samples (2.5 s), as livekit/agents {@code worker.py} {@code _DefaultLoadCalc} does. */
    long SAMPLE_INTERVAL_MILLIS = 500;

    /** A fixed load (tests, and a worker whose capacity is set only by {@code --max-jobs}). */
    static LoadMonitor fixed(double value) {
        return new LoadMonitor() {
            @Override
            public double load() {
                return value;
            }

            @Override
            public void sample() {
            }
        };
    }
}
