package io.lkworker.testing;

import io.lkworker.api.JobType;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerPermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/** Worker configurations for tests: short timeouts, thread executor, no health port. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** A mutable stand-in for the CLI's resolver; {@link #build()} makes the immutable record. */
    public static final class Builder {
        public WorkerConfig.Mode mode = WorkerConfig.Mode.PROD;
        public String url;
        public String apiKey = "devkey";
        public String apiSecret = "secret";
        public Path agentJar = Path.of("agent.jar");
        public String agentName = "test-agent";
        public JobType workerType = JobType.ROOM;
        public String deployment = "";
        public WorkerConfig.ExecutorKind executor = WorkerConfig.ExecutorKind.THREAD;
        public double loadThreshold = Double.POSITIVE_INFINITY;
        public int maxJobs = 0;
        public int maxRetry = 3;
        public int idle = 0;
        public Duration requestTimeout = Duration.ofMillis(1500);
        public Duration initializeTimeout = Duration.ofSeconds(10);
        public Duration shutdownTimeout = Duration.ofSeconds(2);
        public Duration entrypointGrace = Duration.ofSeconds(1);
        public Duration drainTimeout = Duration.ZERO;
        public List<String> jvmOptions = List.of();
        public int healthPort = -1;
        public Path runDir;
        public Path cacheDir;

        public WorkerConfig build() {
            return new WorkerConfig(mode, url, apiKey, apiSecret, agentJar, null, agentName,
                    workerType, deployment, WorkerPermissions.defaults(), executor, loadThreshold, maxJobs, maxRetry,
                    idle, requestTimeout, initializeTimeout, shutdownTimeout, entrypointGrace, drainTimeout,
                    Duration.ofMillis(2500), Duration.ofSeconds(60), 0, 0, jvmOptions, "127.0.0.1", healthPort,
                    "INFO", WorkerConfig.LogFormat.TEXT, null, runDir, cacheDir);
        }
    }

    public static WorkerConfig config(String url, UnaryOperator<Builder> tweak) {
        Builder b = new Builder();
        b.url = url;
        return tweak.apply(b).build();
    }
}
