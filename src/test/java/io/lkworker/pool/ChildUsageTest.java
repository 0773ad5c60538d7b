package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lkworker.worker.JobCost;
import io.lkworker.worker.JobUsage;
import org.junit.jupiter.api.Test;

class ChildUsageTest {

    private static final long S = 1_000_000_000L;

    @Test
    void nothingIsKnownBeforeTheFirstSamples() {
        ChildUsage u = new ChildUsage();
        assertThat(u.usage()).isEqualTo(JobUsage.UNKNOWN);
        assertThat(u.cost(-1)).isEqualTo(JobCost.UNKNOWN);
    }

    @Test
    void cpuPercentComesFromTickDeltasAndMemoryFromTheLatestSample() {
        ChildUsage u = new ChildUsage();
        u.onSample(new ProcSample(0, 1000, 100 << 20, 60 << 20));
        u.onSample(new ProcSample(2 * S, 1150, 110 << 20, 70 << 20)); // 150 ticks = 1.5 s of CPU in 2 s
        JobUsage now = u.usage();
        assertThat(now.cpuPercent()).isCloseTo(75.0, within(1e-9));
        assertThat(now.rssBytes()).isEqualTo(110L << 20);
        assertThat(now.pssBytes()).isEqualTo(70L << 20);
        assertThat(now.participants()).isNull();
    }

    @Test
    void anUnreadableValueIsUnknownNotZero() {
        ChildUsage u = new ChildUsage();
        u.onSample(new ProcSample(0, -1, 100 << 20, -1)); // no smaps_rollup, no stat
        u.onSample(new ProcSample(2 * S, -1, 100 << 20, -1));
        assertThat(u.usage().cpuPercent()).isNull();
        assertThat(u.usage().pssBytes()).isNull();
        assertThat(u.usage().rssBytes()).isEqualTo(100L << 20);
    }

    @Test
    void theJobsCostCountsFromItsStartAndPeaksOverItsSamples() {
        ChildUsage u = new ChildUsage();
        u.onSample(new ProcSample(0, 500, 300 << 20, 200 << 20)); // warm-up: not the job's
        u.jobStarted(600);
        u.onSample(new ProcSample(2 * S, 700, 500 << 20, 400 << 20));
        u.onSample(new ProcSample(4 * S, 900, 450 << 20, 380 << 20));
        JobCost cost = u.cost(1000);
        assertThat(cost.cpuSeconds()).isCloseTo(4.0, within(1e-9)); // 400 ticks at 100 Hz
        assertThat(cost.peakRssBytes()).isEqualTo(500L << 20);
    }

    @Test
    void aProcessAlreadyGoneAtTheEndIsChargedUpToItsLastSample() {
        ChildUsage u = new ChildUsage();
        u.jobStarted(100);
        u.onSample(new ProcSample(2 * S, 350, 80 << 20, 50 << 20));
        assertThat(u.cost(-1).cpuSeconds()).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void roomCountsAreTheLatestReported() {
        ChildUsage u = new ChildUsage();
        u.onRoomStats(1, 0);
        u.onRoomStats(3, 2);
        assertThat(u.usage().participants()).isEqualTo(3);
        assertThat(u.usage().tracks()).isEqualTo(2);
    }
}
