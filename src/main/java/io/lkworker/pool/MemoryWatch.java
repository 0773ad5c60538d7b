package io.lkworker.pool;

import io.lkworker.load.ProcCpu;
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
 * Samples every live child at a fixed interval: its CPU time ({@code /proc/PID/stat}) and its
 * resident and proportional memory ({@code /proc/PID/smaps_rollup}; RSS through OSHI where that file
 * is missing). One sampler serves both the memory limits and the per-job figures of {@code /worker}
 * (ChildUsage), so each file is read once per round. The loop decides which children to sample; the
 * reading happens on a single named sampler thread (smaps_rollup's cost grows with the process's
 * mappings, and an OSHI fallback may read more: neither belongs on the loop), and the results are
 * posted back to the loop.
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
            List<ProcSample> samples = new ArrayList<>(pids.size());
            for (long pid : pids) {
                samples.add(sample(pid));
            }
            loop.execute(() -> {
                busy = false;
                for (int i = 0; i < children.size(); i++) {
                    children.get(i).onSample(samples.get(i));
                }
            });
        });
    }

    /** One reading of {@code pid}. Sampler thread. */
    private ProcSample sample(long pid) {
        long ticks = ProcCpu.ticks(pid);
        ProcMemory.Reading memory = ProcMemory.read(pid);
        long rss = memory.rssBytes() >= 0 ? memory.rssBytes() : residentBytes(pid);
        return new ProcSample(loop.clock().nanos(), ticks, rss, memory.pssBytes());
    }

    /** Resident memory of a process in bytes (OSHI), or -1 when it is gone or unreadable. Sampler thread. */
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
