package io.lkworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PoolSizerTest {

    private static final long MS = 1_000_000L;

    private final PoolSizer sizer = new PoolSizer(Path.of("/nonexistent/meminfo"));

    @Test
    void noTrafficKeepsTheConfiguredFloor() {
        assertThat(sizer.wanted(3, 0, 0.8)).isEqualTo(3);
        sizer.arrived(0);
        assertThat(sizer.wanted(3, 10 * MS, 0.8)).isEqualTo(3);
    }

    @Test
    void aStreamAddsTheStartsInFlightOnTopOfTheFloorWithinItsFirstJobs() {
        // 5 jobs 200 ms apart (a back-to-back stream of short jobs), JVM start 0.8 s: over the 2 s
        // minimum span that is 2.5 jobs/s, so 2 processes are starting at any time on top of the floor.
        for (int i = 0; i < 5; i++) {
            sizer.arrived(i * 200 * MS);
        }
        assertThat(sizer.wanted(3, 800 * MS, 0.8)).isEqualTo(5);
        // Before, the target was max(floor, ceil(rate over 10 s × start)) = max(3, 1) = 3, and the
        // starting replacements counted against it: no idle process was left for the next job.
    }

    @Test
    void theRateFollowsTheArrivalsSpanNotTheWholeWindow() {
        // 20 jobs in 4 s: 5 jobs/s × 0.5 s start = 2.5 → 3 in flight.
        for (int i = 0; i < 20; i++) {
            sizer.arrived(i * 200 * MS);
        }
        assertThat(sizer.wanted(3, 4000 * MS, 0.5)).isEqualTo(6);
        // The window forgets: 11 s after the last arrival the floor is back.
        assertThat(sizer.wanted(3, 3800 * MS + PoolSizer.WINDOW_NANOS + MS, 0.5)).isEqualTo(3);
    }

    @Test
    void rareJobsDoNotGrowThePool() {
        sizer.arrived(0);
        sizer.arrived(5000 * MS);
        // 2 jobs over 5 s × 0.8 s start = 0.32 → rounds to 0 extra
        assertThat(sizer.wanted(3, 5000 * MS, 0.8)).isEqualTo(3);
    }
}
