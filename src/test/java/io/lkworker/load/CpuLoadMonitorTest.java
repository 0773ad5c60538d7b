package io.lkworker.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load math on fake {@code /sys/fs/cgroup} and {@code /proc/stat} trees, on a manual clock. */
class CpuLoadMonitorTest {

    private static final long HALF_SECOND = TimeUnit.MILLISECONDS.toNanos(500);

    @TempDir
    Path root;

    private final AtomicLong now = new AtomicLong(7_000_000_000L);

    private CpuLoadMonitor detect(Map<String, String> env, int availableProcessors) {
        return CpuLoadMonitor.detect(root, env, now::get, availableProcessors);
    }

    private void write(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void v2Usage(long usec) throws IOException {
        write("sys/fs/cgroup/cpu.stat", "usage_usec " + usec + "\nuser_usec 1\nsystem_usec 2\nnr_periods 0\n");
    }

    // ---- cgroup v2

    @Test
    void cgroupV2UsesQuotaFromCpuMax() throws IOException {
        write("sys/fs/cgroup/cpu.max", "200000 100000\n"); // 2 CPUs
        v2Usage(1_000_000);
        CpuLoadMonitor m = detect(Map.of(), 16);
        assertThat(m.sourceName()).isEqualTo("cgroup-v2");
        assertThat(m.cpus()).isEqualTo(2.0);

        m.sample();
        assertThat(m.load()).as("one sample has no delta yet").isZero();

        // 0.5 s of wall time on 2 CPUs = 1 000 000 µs of capacity; 500 000 µs used -> 0.5
        now.addAndGet(HALF_SECOND);
        v2Usage(1_500_000);
        m.sample();
        assertThat(m.load()).isCloseTo(0.5, within(1e-9));

        // next interval 250 000 µs -> 0.25; average of 0.5 and 0.25
        now.addAndGet(HALF_SECOND);
        v2Usage(1_750_000);
        m.sample();
        assertThat(m.load()).isCloseTo(0.375, within(1e-9));
    }

    @Test
    void cgroupV2WithoutQuotaUsesAvailableProcessors() throws IOException {
        write("sys/fs/cgroup/cpu.max", "max 100000\n");
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of(), 4);
        assertThat(m.cpus()).isEqualTo(4.0);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(500_000); // one full CPU out of four
        m.sample();
        assertThat(m.load()).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void fractionalQuotaSaturatesAtOne() throws IOException {
        write("sys/fs/cgroup/cpu.max", "50000 100000\n"); // half a CPU
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of(), 8);
        assertThat(m.cpus()).isEqualTo(0.5);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(250_000); // all of the half CPU for 0.5 s
        m.sample();
        assertThat(m.load()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void numCpusOverridesTheQuota() throws IOException {
        write("sys/fs/cgroup/cpu.max", "400000 100000\n");
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of("NUM_CPUS", "1"), 8);
        assertThat(m.cpus()).isEqualTo(1.0);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(400_000); // 0.4 s of CPU in 0.5 s on 1 CPU
        m.sample();
        assertThat(m.load()).isCloseTo(0.8, within(1e-9));
    }

    @Test
    void invalidNumCpusIsIgnored() throws IOException {
        write("sys/fs/cgroup/cpu.max", "300000 100000\n");
        v2Usage(0);
        assertThat(detect(Map.of("NUM_CPUS", "lots"), 8).cpus()).isEqualTo(3.0);
        assertThat(detect(Map.of("NUM_CPUS", "0"), 8).cpus()).isEqualTo(3.0);
    }

    @Test
    void loadIsClampedToOne() throws IOException {
        write("sys/fs/cgroup/cpu.max", "100000 100000\n");
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of(), 8);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(3_000_000); // 6× what one CPU can do (e.g. the quota changed under us)
        m.sample();
        assertThat(m.load()).isEqualTo(1.0);
    }

    @Test
    void counterResetAndFrozenClockAddNoSample() throws IOException {
        write("sys/fs/cgroup/cpu.max", "100000 100000\n");
        v2Usage(1_000_000);
        CpuLoadMonitor m = detect(Map.of(), 8);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(1_250_000);
        m.sample();
        assertThat(m.load()).isCloseTo(0.5, within(1e-9));

        now.addAndGet(HALF_SECOND);
        v2Usage(10); // cgroup recreated: counter went backwards
        m.sample();
        m.sample(); // clock did not move
        assertThat(m.load()).as("neither sample counted").isCloseTo(0.5, within(1e-9));

        now.addAndGet(HALF_SECOND);
        v2Usage(10);
        m.sample();
        assertThat(m.load()).isCloseTo(0.25, within(1e-9)); // (0.5 + 0) / 2
    }

    @Test
    void averagesOverTheLastFiveSamples() throws IOException {
        write("sys/fs/cgroup/cpu.max", "100000 100000\n");
        long usage = 0;
        v2Usage(usage);
        CpuLoadMonitor m = detect(Map.of(), 8);
        m.sample();
        // five intervals at full load, then five idle: the window forgets the busy ones
        for (int i = 0; i < 5; i++) {
            now.addAndGet(HALF_SECOND);
            usage += 500_000;
            v2Usage(usage);
            m.sample();
        }
        assertThat(m.load()).isCloseTo(1.0, within(1e-9));
        for (int i = 0; i < 4; i++) {
            now.addAndGet(HALF_SECOND);
            m.sample();
        }
        assertThat(m.load()).isCloseTo(0.2, within(1e-9));
        now.addAndGet(HALF_SECOND);
        m.sample();
        assertThat(m.load()).isZero();
    }

    @Test
    void unreadableCounterKeepsTheLastLoad() throws IOException {
        write("sys/fs/cgroup/cpu.max", "100000 100000\n");
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of(), 8);
        m.sample();
        now.addAndGet(HALF_SECOND);
        v2Usage(100_000);
        m.sample();
        write("sys/fs/cgroup/cpu.stat", "garbage\n");
        now.addAndGet(HALF_SECOND);
        m.sample();
        assertThat(m.load()).isCloseTo(0.2, within(1e-9));
    }

    // ---- cgroup v1

    @Test
    void cgroupV1UsesCfsQuota() throws IOException {
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "150000\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpuacct/cpuacct.usage", "5000000000\n");
        CpuLoadMonitor m = detect(Map.of(), 8);
        assertThat(m.sourceName()).isEqualTo("cgroup-v1");
        assertThat(m.cpus()).isEqualTo(1.5);
        m.sample();
        now.addAndGet(HALF_SECOND);
        // 0.5 s × 1.5 CPUs = 750 ms capacity; 300 ms used -> 0.4
        write("sys/fs/cgroup/cpuacct/cpuacct.usage", "5300000000\n");
        m.sample();
        assertThat(m.load()).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void cgroupV1UnlimitedQuotaUsesAvailableProcessors() throws IOException {
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "0\n");
        CpuLoadMonitor m = detect(Map.of(), 2);
        assertThat(m.sourceName()).isEqualTo("cgroup-v1");
        assertThat(m.cpus()).isEqualTo(2.0);
        m.sample();
        now.addAndGet(HALF_SECOND);
        write("sys/fs/cgroup/cpu,cpuacct/cpuacct.usage", "750000000\n"); // 0.75 s of 1 s
        m.sample();
        assertThat(m.load()).isCloseTo(0.75, within(1e-9));
    }

    @Test
    void cgroupV2WinsOverV1WhenBothExist() throws IOException {
        write("sys/fs/cgroup/cpuacct/cpuacct.usage", "0\n");
        v2Usage(0);
        assertThat(detect(Map.of(), 2).sourceName()).isEqualTo("cgroup-v2");
    }

    // ---- host /proc/stat

    private void procStat(long user, long system, long idle, long iowait) throws IOException {
        // user nice system idle iowait irq softirq steal guest guest_nice; guest is inside user already
        write("proc/stat", "cpu  " + user + " 0 " + system + " " + idle + " " + iowait + " 0 0 0 999 0\n"
                + "cpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\nintr 1 2 3\nctxt 42\n");
    }

    @Test
    void hostUsesBusyOverTotalJiffies() throws IOException {
        procStat(100, 50, 800, 50);
        CpuLoadMonitor m = detect(Map.of(), 2);
        assertThat(m.sourceName()).isEqualTo("proc-stat");
        assertThat(m.cpus()).isEqualTo(2.0);
        m.sample();
        // +60 user +20 system +90 idle +30 iowait: busy 80 of 200
        procStat(160, 70, 890, 80);
        now.addAndGet(HALF_SECOND);
        m.sample();
        assertThat(m.load()).isCloseTo(0.4, within(1e-9));
    }

    @Test
    void hostWithNumCpusScalesToThatShareOfTheMachine() throws IOException {
        procStat(0, 0, 0, 0);
        CpuLoadMonitor m = detect(Map.of("NUM_CPUS", "1"), 2);
        assertThat(m.cpus()).isEqualTo(1.0);
        m.sample();
        // 2 host CPUs, 100 jiffies total = 50 per CPU; 40 busy against 1 CPU's 50 -> 0.8
        procStat(40, 0, 60, 0);
        m.sample();
        assertThat(m.load()).isCloseTo(0.8, within(1e-9));
        // 100 busy of 100 total against one CPU's 50 -> 2.0, clamped
        procStat(140, 0, 60, 0);
        m.sample();
        assertThat(m.load()).isCloseTo((0.8 + 1.0) / 2, within(1e-9));
    }

    @Test
    void clampHandlesNaNAndNegatives() {
        assertThat(CpuLoadMonitor.clamp(Double.NaN)).isZero();
        assertThat(CpuLoadMonitor.clamp(-0.1)).isZero();
        assertThat(CpuLoadMonitor.clamp(1.7)).isEqualTo(1.0);
        assertThat(CpuLoadMonitor.clamp(0.42)).isEqualTo(0.42);
    }

    @Test
    void realMachineGivesALoadInRange() {
        CpuLoadMonitor m = CpuLoadMonitor.detect();
        m.sample();
        m.sample();
        assertThat(m.load()).isBetween(0.0, 1.0);
        assertThat(m.cpus()).isPositive();
    }

    // ---- what the worker's own processes used

    @Test
    void poolWarmUpIsLeftOutOfTheLoadAndJobsAreMeasuredApart() throws IOException {
        write("sys/fs/cgroup/cpu.max", "200000 100000\n"); // 2 CPUs: 1 000 000 µs of capacity per 0.5 s
        long[] own = {0, 0}; // warm-up, jobs (ns)
        v2Usage(0);
        CpuLoadMonitor m = detect(Map.of(), 16);
        m.attribute(() -> new OwnCpu.Usage(own[0], own[1]));
        m.sample();

        // 0.8 of capacity used: 0.6 starting job processes, 0.1 by a job, 0.1 by anything else
        now.addAndGet(HALF_SECOND);
        v2Usage(800_000);
        own[0] += 600_000_000L;
        own[1] += 100_000_000L;
        m.sample();
        assertThat(m.load()).as("warm-up is not load").isCloseTo(0.2, within(1e-9));
        assertThat(m.jobLoad()).isCloseTo(0.1, within(1e-9));
    }
}
