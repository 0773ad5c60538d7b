package io.lkworker.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * How many warm job processes the recent arrival rate calls for, and how many memory allows. Loop
 * thread. Jobs launched in the last {@link #WINDOW_NANOS} give a rate; a pool refills one process per
 * start time, so it needs {@code rate × start time} processes starting to keep up, on top of the
 * configured {@code --num-idle-processes}. The cap: half of the memory available now, at
 * {@link #CHILD_BUDGET_BYTES} per process (an idle child is ~46 MB resident, ~56 MB with the WebRTC
 * library), never below the configured floor.
 */
final class PoolSizer {

    /** Arrivals counted over this window: long enough to smooth, short enough to follow a burst's end. */
    static final long WINDOW_NANOS = 10_000_000_000L;
    /** The shortest span a rate is taken over: two jobs 10 ms apart are not 100 jobs a second. */
    static final long MIN_SPAN_NANOS = 2_000_000_000L;
    /** Memory budgeted per extra warm process. */
    static final long CHILD_BUDGET_BYTES = 64L * 1024 * 1024;
    /** /proc/meminfo is read at most this often. */
    private static final long MEMINFO_PERIOD_NANOS = 5_000_000_000L;

    private final ArrayDeque<Long> arrivals = new ArrayDeque<>();
    private final Path meminfo;
    private long memoryCheckedAt = Long.MIN_VALUE;
    private int memoryCap = Integer.MAX_VALUE;

    PoolSizer() {
        this(Path.of("/proc/meminfo"));
    }

    PoolSizer(Path meminfo) {
        this.meminfo = meminfo;
    }

    void arrived(long nowNanos) {
        arrivals.addLast(nowNanos);
        forget(nowNanos);
    }

    /**
     * Warm processes wanted: {@code floor} plus the processes a refill has in flight at the arrival
     * rate ({@code rate × start time}, Little's law). The pool counts starting processes against its
     * target, so a target of just {@code max(floor, rate × start)} left no idle process at all once
     * the replacements were starting: under a stream of jobs every job waited for a JVM start.
     * The rate is over the arrivals' own span (at least {@link #MIN_SPAN_NANOS}), not the whole window,
     * so a stream is seen within its first jobs.
     */
    int wanted(int floor, long nowNanos, double startSeconds) {
        forget(nowNanos);
        if (arrivals.size() < 2) {
            return floor;
        }
        double span = Math.max(MIN_SPAN_NANOS, nowNanos - arrivals.peekFirst()) / 1e9;
        double perSecond = arrivals.size() / span;
        return floor + (int) Math.round(perSecond * startSeconds);
    }

    /** Processes that half of MemAvailable holds; unbounded when it cannot be read. */
    int memoryCap(long nowNanos) {
        if (nowNanos - memoryCheckedAt >= MEMINFO_PERIOD_NANOS || memoryCheckedAt == Long.MIN_VALUE) {
            memoryCheckedAt = nowNanos;
            long available = memAvailableBytes();
            memoryCap = available < 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, available / 2 / CHILD_BUDGET_BYTES);
        }
        return memoryCap;
    }

    private long memAvailableBytes() {
        try {
            for (String line : Files.readAllLines(meminfo, StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void forget(long nowNanos) {
        while (!arrivals.isEmpty() && nowNanos - arrivals.peekFirst() > WINDOW_NANOS) {
            arrivals.removeFirst();
        }
    }
}
