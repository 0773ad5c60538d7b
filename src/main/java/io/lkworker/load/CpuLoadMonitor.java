package io.lkworker.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Container-aware CPU utilisation in [0, 1], the default {@link LoadMonitor} (as LiveKit's Python worker measures it; docs/operations.md "CPU load").
 *
 * <p>The loop calls {@link #sample()} every {@link #SAMPLE_INTERVAL_MILLIS}; each call reads the
 * cumulative counters of the chosen source and, from the second call on, adds
 * {@code Δbusy / Δcapacity} to a moving average of the last {@link #WINDOW} samples (2.5 s). Unlike the
 * Python worker, nothing blocks for the interval: deltas are taken between two loop ticks, so the
 * loop is never held up. Reading a handful of bytes from {@code /sys} or {@code /proc} is not I/O
 * that can stall.
 *
 * <p>Sources, picked by {@link #detect()} in this order, like livekit/agents
 * {@code livekit-agents/livekit/agents/utils/hw/cpu.py} {@code get_cpu_monitor}:
 * <ol>
 *   <li><b>cgroup v2</b> — {@code /sys/fs/cgroup/cpu.stat} {@code usage_usec}; CPUs from
 *       {@code cpu.max} ("quota period", or "max" = no quota).</li>
 *   <li><b>cgroup v1</b> — {@code cpuacct.usage} (ns); CPUs from {@code cpu.cfs_quota_us} /
 *       {@code cpu.cfs_period_us} (quota -1 = none).</li>
 *   <li><b>host</b> — {@code /proc/stat} first line: busy and total jiffies.</li>
 * </ol>
 * CPU count: {@code NUM_CPUS} if set and positive, else the cgroup quota, else
 * {@code Runtime.availableProcessors()}. A fractional quota (0.5 CPU) is kept as is, so a half-CPU
 * container saturates at load 1, not 0.5. On the host source {@code NUM_CPUS} scales the capacity to
 * that many CPUs' worth of the machine.
 *
 * <p>Owned by the loop thread (not thread-safe), like every other piece of worker state.
 */
public final class CpuLoadMonitor implements LoadMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(CpuLoadMonitor.class);

    /** Samples averaged: 5 × 0.5 s = 2.5 s, the window of livekit/agents {@code worker.py} {@code _DefaultLoadCalc}. */
    public static final int WINDOW = 5;

    /** /proc reports CPU time in USER_HZ ticks, 100 per second on every Linux ABI the JDK runs on. */
    public static final double NANOS_PER_TICK = 10_000_000;

    /** Environment variable that overrides the CPU count (same name as livekit/agents {@code utils/hw/cpu.py} {@code _cpu_count_from_env}). */
    public static final String NUM_CPUS_ENV = "NUM_CPUS";

    private final CpuSource source;
    private final LongSupplier nanoTime;
    private final MovingAverage average = new MovingAverage(WINDOW);
    private final MovingAverage jobAverage = new MovingAverage(WINDOW);
    private OwnCpu own = OwnCpu.NONE;
    private CpuSource.Reading last;
    private OwnCpu.Usage lastOwn;
    private boolean warnedReadFailure;

    CpuLoadMonitor(CpuSource source, LongSupplier nanoTime) {
        this.source = source;
        this.nanoTime = nanoTime;
    }

    /** Picks the source for this machine (real {@code /}, real environment, {@code System.nanoTime}). */
    public static CpuLoadMonitor detect() {
        CpuLoadMonitor monitor = detect(Path.of("/"), System.getenv(), System::nanoTime,
                Runtime.getRuntime().availableProcessors());
        LOG.info("cpu load from {} over {} cpus", monitor.sourceName(), monitor.cpus());
        return monitor;
    }

    /**
     * Picks the source under a file-system {@code root} (tests fake {@code sys/fs/cgroup} and
     * {@code proc/stat} in a temp directory).
     */
    public static CpuLoadMonitor detect(Path root, Map<String, String> env, LongSupplier nanoTime,
                                        int availableProcessors) {
        Double override = numCpus(env.get(NUM_CPUS_ENV));
        Path cgroup = root.resolve("sys/fs/cgroup");
        Path v2Stat = cgroup.resolve("cpu.stat");
        if (Files.isRegularFile(v2Stat)) {
            double cpus = override != null ? override
                    : orElse(v2Quota(cgroup.resolve("cpu.max")), availableProcessors);
            return new CpuLoadMonitor(new CgroupV2(v2Stat, cpus), nanoTime);
        }
        Path v1Usage = firstExisting(cgroup, "cpuacct/cpuacct.usage", "cpu,cpuacct/cpuacct.usage",
                "cpuacct,cpu/cpuacct.usage");
        if (v1Usage != null) {
            Path quotaDir = v1QuotaDir(cgroup);
            double cpus = override != null ? override
                    : orElse(quotaDir == null ? null : v1Quota(quotaDir), availableProcessors);
            return new CpuLoadMonitor(new CgroupV1(v1Usage, cpus), nanoTime);
        }
        return new CpuLoadMonitor(new ProcStat(root.resolve("proc/stat"), override), nanoTime);
    }

    @Override
    public double load() {
        return clamp(average.value());
    }

    @Override
    public double jobLoad() {
        return clamp(jobAverage.value());
    }

    @Override
    public void attribute(OwnCpu ownCpu) {
        this.own = ownCpu;
        this.lastOwn = null;
    }

    @Override
    public void sample() {
        CpuSource.Reading now;
        OwnCpu.Usage ownNow;
        try {
            ownNow = own.sample();
            now = source.read(nanoTime.getAsLong());
        } catch (IOException | RuntimeException e) {
            // a vanished or garbled counter must not kill the loop; the last average stands
            if (!warnedReadFailure) {
                warnedReadFailure = true;
                LOG.warn("cannot read cpu usage from {}: {}", source.name(), e.toString());
            }
            return;
        }
        CpuSource.Reading previous = last;
        OwnCpu.Usage previousOwn = lastOwn;
        last = now;
        lastOwn = ownNow;
        if (previous == null || previousOwn == null) {
            return;
        }
        double capacity = now.capacity() - previous.capacity();
        double busy = now.busy() - previous.busy();
        if (capacity <= 0 || busy < 0) {
            return; // no time passed, or a counter was reset (cgroup recreated): start over from here
        }
        double perUnit = source.nanosPerUnit();
        double warmup = Math.max(0, ownNow.warmupNanos() - previousOwn.warmupNanos()) / perUnit;
        double jobs = Math.max(0, ownNow.jobNanos() - previousOwn.jobNanos()) / perUnit;
        average.add(clamp((busy - warmup) / capacity));
        jobAverage.add(clamp(jobs / capacity));
    }

    public String sourceName() {
        return source.name();
    }

    /** The CPU count the load is relative to. */
    public double cpus() {
        return source.cpus();
    }

    @Override
    public String toString() {
        return "CpuLoadMonitor[" + source.name() + ", cpus=" + source.cpus() + ", load=" + load() + "]";
    }

    static double clamp(double value) {
        if (Double.isNaN(value) || value < 0) {
            return 0;
        }
        return Math.min(value, 1);
    }

    private static Double numCpus(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double cpus = Double.parseDouble(value.trim());
            if (cpus > 0 && Double.isFinite(cpus)) {
                return cpus;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the warning
        }
        LOG.warn("ignoring {}={}: not a positive number", NUM_CPUS_ENV, value);
        return null;
    }

    private static double orElse(Double value, int fallback) {
        return value != null ? value : Math.max(1, fallback);
    }

    private static Path firstExisting(Path dir, String... candidates) {
        for (String candidate : candidates) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path v1QuotaDir(Path cgroup) {
        for (String dir : List.of("cpu", "cpu,cpuacct", "cpuacct,cpu")) {
            Path d = cgroup.resolve(dir);
            if (Files.isRegularFile(d.resolve("cpu.cfs_quota_us"))) {
                return d;
            }
        }
        return null;
    }

    /** {@code cpu.max}: "quota period" → quota/period CPUs; "max period" or missing → null. */
    static Double v2Quota(Path cpuMax) {
        try {
            String[] parts = read(cpuMax).trim().split("\\s+");
            if (parts.length < 1 || parts[0].equals("max")) {
                return null;
            }
            double quota = Double.parseDouble(parts[0]);
            double period = parts.length > 1 ? Double.parseDouble(parts[1]) : 100_000;
            return quota > 0 && period > 0 ? quota / period : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}; quota -1 (or missing) → null. */
    static Double v1Quota(Path dir) {
        try {
            double quota = Double.parseDouble(read(dir.resolve("cpu.cfs_quota_us")).trim());
            double period = Double.parseDouble(read(dir.resolve("cpu.cfs_period_us")).trim());
            return quota > 0 && period > 0 ? quota / period : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.US_ASCII);
    }

    /** cgroup v2: {@code usage_usec} against wall time × CPUs. */
    private record CgroupV2(Path cpuStat, double cpus) implements CpuSource {
        @Override
        public String name() {
            return "cgroup-v2";
        }

        @Override
        public Reading read(long wallNanos) throws IOException {
            for (String line : Files.readAllLines(cpuStat, StandardCharsets.US_ASCII)) {
                if (line.startsWith("usage_usec ")) {
                    double usageNanos = Long.parseLong(line.substring("usage_usec ".length()).trim()) * 1_000.0;
                    return new Reading(usageNanos, wallNanos * cpus);
                }
            }
            throw new IOException("no usage_usec in " + cpuStat);
        }
    }

    /** cgroup v1: {@code cpuacct.usage} (ns) against wall time × CPUs. */
    private record CgroupV1(Path usage, double cpus) implements CpuSource {
        @Override
        public String name() {
            return "cgroup-v1";
        }

        @Override
        public Reading read(long wallNanos) throws IOException {
            return new Reading(Long.parseLong(CpuLoadMonitor.read(usage).trim()), wallNanos * cpus);
        }
    }

    /**
     * Host-wide {@code /proc/stat}: busy = total − idle − iowait over the first eight fields (guest
     * time is already inside user/nice). Wall time is not needed: total jiffies is the capacity. With
     * {@code NUM_CPUS} set, capacity becomes total ÷ host CPUs × NUM_CPUS.
     */
    private record ProcStat(Path stat, Double override) implements CpuSource {
        @Override
        public String name() {
            return "proc-stat";
        }

        @Override
        public double cpus() {
            if (override != null) {
                return override;
            }
            try {
                return hostCpus(Files.readAllLines(stat, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return Runtime.getRuntime().availableProcessors();
            }
        }

        @Override
        public double nanosPerUnit() {
            return NANOS_PER_TICK;
        }

        @Override
        public Reading read(long wallNanos) throws IOException {
            List<String> lines = Files.readAllLines(stat, StandardCharsets.US_ASCII);
            if (lines.isEmpty() || !lines.get(0).startsWith("cpu ")) {
                throw new IOException("no aggregate cpu line in " + stat);
            }
            String[] f = lines.get(0).trim().split("\\s+");
            double total = 0;
            for (int i = 1; i <= 8 && i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            double idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            double capacity = override == null ? total : total / hostCpus(lines) * override;
            return new Reading(total - idle, capacity);
        }

        private static int hostCpus(List<String> lines) {
            int n = 0;
            for (String line : lines) {
                if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                    n++;
                }
            }
            return Math.max(n, 1);
        }
    }
}
