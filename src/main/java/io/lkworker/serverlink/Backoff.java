package io.lkworker.serverlink;

/**
 * Reconnection schedule: 0, 2, 4, 6, 8, 10, 10 … s, like livekit/agents {@code livekit-agents/livekit/agents/worker.py}
 * {@code _connection_task} ({@code min(retry_count * 2, 10)}) — the first retry after
 * a connection that had worked is immediate, and a server that is down is not hammered. Retries
 * {@code maxRetry} times: gives up at the failure after that, {@code maxRetry + 1} failed attempts in
 * all (like {@code ServerOptions.max_retry} there; {@code --max-retry} documents the same).
 */
public final class Backoff {

    private static final long STEP_MILLIS = 2_000;
    private static final long CAP_MILLIS = 10_000;

    private final int maxRetry;
    private int failures;

    public Backoff(int maxRetry) {
        this.maxRetry = maxRetry;
    }

    /** A connection attempt succeeded (registered): the next failure retries at once. */
    public void reset() {
        failures = 0;
    }

    /** Records a failure; returns the delay before the next attempt, or -1 when retries are exhausted. */
    public long onFailure() {
        if (failures >= maxRetry) {
            failures++;
            return -1;
        }
        long delay = Math.min(failures * STEP_MILLIS, CAP_MILLIS);
        failures++;
        return delay;
    }

    /** Consecutive failures so far. */
    public int failures() {
        return failures;
    }
}
