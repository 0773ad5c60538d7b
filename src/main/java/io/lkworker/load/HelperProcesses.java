package io.lkworker.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Processes the worker starts for itself that are not job processes (the daemon's class-data
 * archive trainer, {@code io.lkworker.DaemonCds}): their CPU is the worker's own warm-up, not other
 * work on the machine, so the load leaves it out as it leaves out the pool's warm-up. Without it a
 * freshly started, idle worker reported itself full while its trainer ran (issue 17: "effective load
 * 0.72" 7 s after registering, no job running).
 */
public final class HelperProcesses {

    /** pid → the last CPU ticks read for it (kept after it exits: only deltas are used). */
    private static final Map<Long, Long> LAST_TICKS = new ConcurrentHashMap<>();

    /** Registered processes that have exited. */
    private static final java.util.Set<Long> GONE = ConcurrentHashMap.newKeySet();

    private HelperProcesses() {
    }

    /** Counts {@code pid}'s CPU as the worker's own from now on. */
    public static void register(long pid) {
        LAST_TICKS.putIfAbsent(pid, 0L);
    }

    /** Cumulative CPU time of the registered processes, in nanoseconds (monotonic). */
    public static long cpuNanos() {
        long sum = 0;
        for (Map.Entry<Long, Long> e : LAST_TICKS.entrySet()) {
            if (!GONE.contains(e.getKey())) {
                long now = ProcCpu.ticks(e.getKey());
                if (now < 0) {
                    GONE.add(e.getKey()); // exited: its last reading stands, no more reads
                } else if (now > e.getValue()) {
                    e.setValue(now);
                }
            }
            sum += e.getValue();
        }
        return (long) (sum * CpuLoadMonitor.NANOS_PER_TICK);
    }
}
