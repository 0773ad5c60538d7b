package io.lkworker.load;

/** The worker's current load in [0, 1], averaged over a short window. Read on the loop thread. */
public interface LoadMonitor {

    double load();

    /** Takes one sample; called on the loop every {@code SAMPLE_INTERVAL_MILLIS}. */
    void sample();

    /** Sampling period: 0.5 s, averaged over 5 samples (2.5 s), as the reference worker does. */
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
