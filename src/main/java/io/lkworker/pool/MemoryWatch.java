package io.lkworker.pool;

import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * Samples the resident memory of every live child at a fixed interval. The loop decides which
 * children to sample; the reading happens on a single named sampler thread (reading /proc through
 * OSHI must not stall the loop), and the results are posted back to the loop.
 */
final class MemoryWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MemoryWatch.class);

    private final EventLoop loop;
    private final Duration interval;
    private final Supplier<List<ChildProcess>> watched;
    private final ExecutorService sampler;
    /** Loop thread only: a sampling round is in flight (a slow round is not stacked). */
    private boolean busy;
    private Timer timer;
    /** Sampler thread only. */
    private OperatingSystem os;

    MemoryWatch(EventLoop loop, Duration interval, Supplier<List<ChildProcess>> watched) {
        this.loop = loop;
        this.interval = interval;
        this.watched = watched;
        this.sampler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lkw-memory-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long ms = interval.toMillis();
        timer = loop.scheduleAtFixedRate(ms, ms, this::tick);
    }

    private void tick() {
        if (busy) {
            return;
        }
        List<ChildProcess> children = watched.get();
        if (children.isEmpty()) {
            return;
        }
        busy = true;
        List<Long> pids = children.stream().map(ChildProcess::pid).toList();
        sampler.execute(() -> {
            List<Long> rss = new ArrayList<>(pids.size());
            for (long pid : pids) {
                rss.add(residentBytes(pid));
            }
            loop.execute(() -> {
                busy = false;
                for (int i = 0; i < children.size(); i++) {
                    if (rss.get(i) >= 0) {
                        children.get(i).onMemorySample(rss.get(i));
                    }
                }
            });
        });
    }

    /** Resident memory of a process in bytes, or -1 when it is gone or unreadable. Sampler thread. */
    private long residentBytes(long pid) {
        try {
            if (os == null) {
                os = new SystemInfo().getOperatingSystem();
            }
            OSProcess process = os.getProcess((int) pid);
            return process == null ? -1 : process.getResidentMemory();
        } catch (RuntimeException | LinkageError e) {
            log.debug("cannot sample memory of pid {}: {}", pid, e.toString());
            return -1;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.cancel();
        }
        sampler.shutdownNow();
    }
}
