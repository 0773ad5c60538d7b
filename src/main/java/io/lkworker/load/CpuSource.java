package io.lkworker.load;

import java.io.IOException;

/**
 * One way of reading cumulative CPU use. A reading is a pair of counters whose deltas between two
 * samples give the load: {@code busy} is CPU time used, {@code capacity} the CPU time that was
 * available over the same interval, both in the same unit.
 */
interface CpuSource {

    /** Short name for logs and {@code toString()}: cgroup-v2, cgroup-v1, proc-stat. */
    String name();

    /** CPUs this source divides by (the effective CPU count); informational for proc-stat. */
    double cpus();

    /**
     * Reads the counters now.
     *
     * @param wallNanos the monotonic time of this reading, for sources whose capacity is wall time × CPUs
     */
    Reading read(long wallNanos) throws IOException;

    /** Nanoseconds of CPU time in one unit of {@code busy}: 1 for the cgroup sources, a clock tick for /proc/stat. */
    default double nanosPerUnit() {
        return 1;
    }

    /** Cumulative busy and capacity counters; only their deltas mean anything. */
    record Reading(double busy, double capacity) {
    }
}
