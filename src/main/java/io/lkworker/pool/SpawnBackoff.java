package io.lkworker.pool;

/**
 * Delay between child starts after failures, so an agent whose prewarm always fails or overruns
 * does not make the pool spawn and kill JVMs in a tight loop (the Python worker's issue #4857).
 * 0.5 s doubling to 30 s. A failure is a start that fails, and also a warm child that dies while
 * idle (a native crash or OOM kill right after prewarm would otherwise be replaced at once, for
 * ever): a child becoming ready therefore only lifts the current delay, and the count is reset
 * once a child has proved itself by taking a job. Loop thread only; times from the loop's clock.
 */
final class SpawnBackoff {

    static final long INITIAL_MILLIS = 500;
    static final long MAX_MILLIS = 30_000;

    private int failures;
    private long notBeforeNanos;
    private boolean armed;

    /** Records a failed start at {@code nowNanos}; returns the delay before the next start, in ms. */
    long onFailure(long nowNanos) {
        long delay = Math.min(MAX_MILLIS, INITIAL_MILLIS << Math.min(failures, 16));
        failures++;
        armed = true;
        notBeforeNanos = nowNanos + delay * 1_000_000L;
        return delay;
    }

    /** A child became ready: the next start may go at once, but a later failure keeps escalating. */
    void onReady() {
        armed = false;
    }

    /** A child took a job: whatever failed before is over. */
    void onSuccess() {
        failures = 0;
        armed = false;
    }

    int consecutiveFailures() {
        return failures;
    }

    /** Milliseconds until a start is allowed; 0 when it is allowed now. */
    long remainingMillis(long nowNanos) {
        if (!armed) {
            return 0;
        }
        long remaining = notBeforeNanos - nowNanos;
        return remaining <= 0 ? 0 : Math.max(1, remaining / 1_000_000L);
    }
}
