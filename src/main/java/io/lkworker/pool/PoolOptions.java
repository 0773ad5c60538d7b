package io.lkworker.pool;

import io.lkworker.config.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the process pool needs from the configuration, in one record tests can build directly.
 *
 * @param agentJar the agent jar each child loads
 * @param agentClass the Agent class, or null to use the jar's service file
 * @param numIdleProcesses warm children kept ready
 * @param initializeTimeout from spawn to "ready" (JVM start, connect, prewarm); a slower child is killed
 * @param shutdownTimeout bound for each shutdown step: the ack, then the exit (plus the entrypoint grace)
 * @param entrypointGrace how long a running entrypoint may take to return after shutdown is requested
 * @param pingInterval interval of pings to each child
 * @param pingTimeout a child silent this long is killed
 * @param memoryWarnMb warn above this resident memory (0 = off)
 * @param memoryLimitMb kill above this resident memory (0 = off)
 * @param memorySampleInterval how often each child's memory and CPU time are sampled
 * @param jobJvmOptions user JVM options for children; they come after ours and so override them
 * @param runDir base of the private IPC directory (null = system temp dir)
 * @param cacheDir where class-data-sharing archives are kept (null = no CDS)
 * @param maxConcurrentStarts children starting (JVM start + prewarm) at the same time
 * @param childLogLevel root log level inside children (null = the daemon's root level)
 */
public record PoolOptions(
        Path agentJar,
        String agentClass,
        int numIdleProcesses,
        Duration initializeTimeout,
        Duration shutdownTimeout,
        Duration entrypointGrace,
        Duration pingInterval,
        Duration pingTimeout,
        long memoryWarnMb,
        long memoryLimitMb,
        Duration memorySampleInterval,
        List<String> jobJvmOptions,
        Path runDir,
        Path cacheDir,
        int maxConcurrentStarts,
        String childLogLevel) {

    /**
     * Python's worker samples memory every 5 s; we sample every 2 s because the same round also gives
     * {@code /worker} its per-job CPU %, averaged over the last ~5 s of samples (MemoryWatch). A round
     * reads two small /proc files per child on the sampler thread: well under a millisecond each.
     */
    public static final Duration DEFAULT_MEMORY_SAMPLE_INTERVAL = Duration.ofSeconds(2);

    public PoolOptions {
        jobJvmOptions = List.copyOf(jobJvmOptions);
        if (numIdleProcesses < 0) {
            throw new IllegalArgumentException("numIdleProcesses must be >= 0");
        }
        if (maxConcurrentStarts < 1) {
            throw new IllegalArgumentException("maxConcurrentStarts must be >= 1");
        }
    }

    /**
     * Concurrent starts: one per core (at least two). JVM start and prewarm are CPU-bound, so more than
     * the cores only interleave; on 2 cores 2, 3 and 4 measured the same (results.md, perf2). The
     * Python worker's cap of 4 left big machines starting a burst four at a time.
     */
    public static int defaultConcurrentStarts() {
        // For measuring only (WorkerBenchmark --daemon-opts): -Dlkworker.pool.maxConcurrentStarts=N.
        Integer override = Integer.getInteger("lkworker.pool.maxConcurrentStarts");
        if (override != null && override > 0) {
            return override;
        }
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Production defaults (the values of the Python worker) for an agent jar. */
    public static PoolOptions defaults(Path agentJar) {
        return new PoolOptions(agentJar, null, 3, Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofSeconds(15), Duration.ofMillis(2500), Duration.ofSeconds(60), 500, 0,
                DEFAULT_MEMORY_SAMPLE_INTERVAL, List.of(), null, defaultCacheDir(), defaultConcurrentStarts(), null);
    }

    public static PoolOptions from(WorkerConfig config) {
        // <cache-dir>/cds (archives) beside <cache-dir>/native (the WebRTC library, ChildLauncher)
        Path cache = config.cacheDirOrRunDir() != null ? config.cacheDirOrRunDir().resolve("cds") : defaultCacheDir();
        return new PoolOptions(config.agentJar(), config.agentClass(), config.numIdleProcesses(),
                config.initializeTimeout(), config.shutdownTimeout(), config.entrypointGrace(),
                config.pingInterval(), config.pingTimeout(), config.jobMemoryWarnMb(), config.jobMemoryLimitMb(),
                DEFAULT_MEMORY_SAMPLE_INTERVAL, config.jobJvmOptions(), config.runDir(), cache,
                defaultConcurrentStarts(), config.logLevel());
    }

    /** {@code ~/.cache/lk-worker/cds} (or {@code $XDG_CACHE_HOME/lk-worker/cds}). */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("lk-worker").resolve("cds");
    }

    public PoolOptions withIdle(int n) {
        return new PoolOptions(agentJar, agentClass, n, initializeTimeout, shutdownTimeout, entrypointGrace,
                pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval, jobJvmOptions, runDir,
                cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withTimeouts(Duration initialize, Duration shutdown, Duration grace) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initialize, shutdown, grace,
                pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval, jobJvmOptions, runDir,
                cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withPings(Duration interval, Duration timeout) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initializeTimeout, shutdownTimeout,
                entrypointGrace, interval, timeout, memoryWarnMb, memoryLimitMb, memorySampleInterval, jobJvmOptions,
                runDir, cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withMemory(long warnMb, long limitMb, Duration sampleInterval) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initializeTimeout, shutdownTimeout,
                entrypointGrace, pingInterval, pingTimeout, warnMb, limitMb, sampleInterval, jobJvmOptions,
                runDir, cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withJvmOptions(List<String> options) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initializeTimeout, shutdownTimeout,
                entrypointGrace, pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval,
                options, runDir, cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withDirs(Path run, Path cache) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initializeTimeout, shutdownTimeout,
                entrypointGrace, pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval,
                jobJvmOptions, run, cache, maxConcurrentStarts, childLogLevel);
    }

    /** Another agent (dev-mode reload): children started from now on load this jar. */
    public PoolOptions withAgent(Path jar, String className) {
        return new PoolOptions(jar, className, numIdleProcesses, initializeTimeout, shutdownTimeout, entrypointGrace,
                pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval, jobJvmOptions, runDir,
                cacheDir, maxConcurrentStarts, childLogLevel);
    }

    public PoolOptions withChildLogLevel(String level) {
        return new PoolOptions(agentJar, agentClass, numIdleProcesses, initializeTimeout, shutdownTimeout,
                entrypointGrace, pingInterval, pingTimeout, memoryWarnMb, memoryLimitMb, memorySampleInterval,
                jobJvmOptions, runDir, cacheDir, maxConcurrentStarts, level);
    }
}
