package io.lkworker.load;

import java.util.ArrayDeque;

/**
 * CPU use of one process or thread as a % of one core over a sliding window, from cumulative CPU
 * time sampled at intervals: (CPU time at the newest sample − at the oldest sample still in the
 * window) ÷ (wall time between them). A sample older than the window is dropped, except that the
 * two newest are always kept, so a late sample still gives a rate. Not thread-safe: one owner.
 */
public final class CpuWindow {

    /** A cumulative CPU reading. */
    private record Sample(long wallNanos, long cpuNanos) { }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public CpuWindow(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive: " + windowNanos);
        }
        this.windowNanos = windowNanos;
    }

    /**
     * Adds a reading: {@code cpuNanos} is the cumulative CPU time at monotonic time {@code wallNanos}.
     * A reading that goes backwards (a reused pid, an unreadable file) restarts the window.
     */
    public void add(long wallNanos, long cpuNanos) {
        Sample last = samples.peekLast();
        if (last != null && (cpuNanos < last.cpuNanos() || wallNanos <= last.wallNanos())) {
            samples.clear();
        }
        samples.addLast(new Sample(wallNanos, cpuNanos));
        while (samples.size() > 2 && wallNanos - samples.peekFirst().wallNanos() > windowNanos) {
            samples.removeFirst();
        }
    }

    /** CPU over the window in % of one core, or null with fewer than two readings. */
    public Double percent() {
        if (samples.size() < 2) {
            return null;
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        return 100.0 * (last.cpuNanos() - first.cpuNanos()) / (last.wallNanos() - first.wallNanos());
    }
}
