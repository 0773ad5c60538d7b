package io.lkworker.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * How many warm job processes the recent arrival rate calls for, and how many memory allows. Loop
 * thread. Jobs launched in the last {@link #WINDOW_NANOS} give a rate; a pool refills one process per
 * start time, so it needs {@code rate × start time} warm processes to keep up, at least the configured
 * {@code --num-idle-processes}. The cap: half of the memory available now, at
 * {@link #CHILD_BUDGET_BYTES} per process (an idle child is ~46 MB resident, ~56 MB with the WebRTC
 * library), never below the configured floor.
 */
final class PoolSizer {

    /** Arrivals counted over this window: long enough to smooth, short enough to follow a burst's end. */
    static final long WINDOW_NANOS = 10_000_000_000L;
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

    /** Warm processes wanted: at least {@code floor}, else the arrival rate times the start time. */
    int wanted(int floor, long nowNanos, double startSeconds) {
        forget(nowNanos);
        double perSecond = arrivals.size() / (WINDOW_NANOS / 1e9);
        return Math.max(floor, (int) Math.ceil(perSecond * startSeconds));
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
