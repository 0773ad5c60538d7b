package io.lkworker.pool;

/**
 * Liveness of one child from its pongs. Loop thread only.
 *
 * <p>Pings go out every {@code pingInterval}; a pong slower than {@link #HIGH_LATENCY_MILLIS}
 * means the child is struggling (GC, CPU starvation, a blocked reader) and is worth a warning; no
 * pong for {@code pingTimeout} means it is hung and gets killed.
 */
final class PingMonitor {

    /** Python's high_ping_threshold: a healthy child answers in well under a millisecond. */
    static final long HIGH_LATENCY_MILLIS = 500;

    private final long timeoutNanos;
    private long lastPongNanos;

    PingMonitor(long timeoutMillis, long nowNanos) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.lastPongNanos = nowNanos;
    }

    boolean timedOut(long nowNanos) {
        return nowNanos - lastPongNanos > timeoutNanos;
    }

    /** Records a pong; returns its round trip in ms (wall clock: the ping carries wall time). */
    long onPong(long pingWallMillis, long nowWallMillis, long nowNanos) {
        lastPongNanos = nowNanos;
        return Math.max(0, nowWallMillis - pingWallMillis);
    }
}
