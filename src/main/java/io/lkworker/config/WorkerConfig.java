package io.lkworker.config;

import io.lkworker.api.JobType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the daemon is configured with, resolved (flag > environment > config file > default)
 * and validated. Immutable; {@link #toString()} never shows the API secret.
 *
 * @param mode DEV or PROD: decides the built-in defaults
 * @param url LiveKit server URL (http, https, ws or wss); null in dev when the embedded server is used
 * @param apiKey LiveKit API key
 * @param apiSecret LiveKit API secret (redacted in toString)
 * @param agentJar the agent jar
 * @param agentClass the Agent implementation to use, or null to find it through META-INF/services
 * @param agentName registered agent name; "" for automatic dispatch
 * @param workerType the job type this worker serves
 * @param deployment deployment label sent at registration ("" for none)
 * @param permissions permissions baked into job tokens
 * @param jobExecutor PROCESS (a child JVM per job) or THREAD (jobs on threads in the daemon)
 * @param loadThreshold WS_FULL when effective load reaches this; +Infinity disables it
 * @param maxJobs at most this many concurrent jobs; 0 = no cap
 * @param maxRetry connection retries after a failed attempt before giving up (maxRetry + 1 attempts)
 * @param numIdleProcesses warm child processes kept ready
 * @param requestTimeout deadline for the agent's onRequest
 * @param initializeTimeout deadline for a child's prewarm
 * @param shutdownTimeout deadline for each step of a job's shutdown (ack, then exit)
 * @param entrypointGrace how long a still-running entrypoint may take to return after shutdown is requested
 * @param drainTimeout how long a drain waits for running jobs; ZERO = no limit
 * @param pingInterval interval of parent-to-child pings
 * @param pingTimeout a child that has not answered for this long is killed
 * @param jobMemoryWarnMb warn when a child's resident memory exceeds this; 0 = off
 * @param jobMemoryLimitMb kill a child whose resident memory exceeds this; 0 = off
 * @param jobJvmOptions extra JVM options for child JVMs
 * @param healthHost bind address of the health HTTP server
 * @param healthPort port of the health HTTP server; 0 = random; -1 = disabled
 * @param logLevel root log level
 * @param logFormat JSON or TEXT
 * @param pidFile where start/dev write the daemon's pid, or null for start's default (lk-worker.pid in
 *     runDir); dev's default, lk-worker-dev.pid in runDir, is filled in by {@link ConfigResolver}
 * @param runDir private runtime directory (IPC sockets, pid file)
 * @param cacheDir where the class-data archives and the WebRTC library are kept across restarts, or null
 *        for the run directory ({@link #cacheDirOrRunDir()})
 */
public record WorkerConfig(
        Mode mode,
        String url,
        String apiKey,
        String apiSecret,
        Path agentJar,
        String agentClass,
        String agentName,
        JobType workerType,
        String deployment,
        WorkerPermissions permissions,
        ExecutorKind jobExecutor,
        double loadThreshold,
        int maxJobs,
        int maxRetry,
        int numIdleProcesses,
        Duration requestTimeout,
        Duration initializeTimeout,
        Duration shutdownTimeout,
        Duration entrypointGrace,
        Duration drainTimeout,
        Duration pingInterval,
        Duration pingTimeout,
        long jobMemoryWarnMb,
        long jobMemoryLimitMb,
        List<String> jobJvmOptions,
        String healthHost,
        int healthPort,
        String logLevel,
        LogFormat logFormat,
        Path pidFile,
        Path runDir,
        Path cacheDir) {

    public enum Mode { DEV, PROD }

    public enum ExecutorKind { PROCESS, THREAD }

    public enum LogFormat { JSON, TEXT }

    public WorkerConfig {
        jobJvmOptions = List.copyOf(jobJvmOptions);
    }

    /** {@code --cache-dir}, else the run directory (which then holds the caches too). */
    public Path cacheDirOrRunDir() {
        return cacheDir != null ? cacheDir : runDir;
    }

    /** The same configuration pointed at another server (dev mode's embedded one). */
    public WorkerConfig withUrl(String newUrl) {
        return new WorkerConfig(mode, newUrl, apiKey, apiSecret, agentJar, agentClass, agentName, workerType,
                deployment, permissions, jobExecutor, loadThreshold, maxJobs, maxRetry, numIdleProcesses,
                requestTimeout, initializeTimeout, shutdownTimeout, entrypointGrace, drainTimeout, pingInterval,
                pingTimeout, jobMemoryWarnMb, jobMemoryLimitMb, jobJvmOptions, healthHost, healthPort, logLevel,
                logFormat, pidFile, runDir, cacheDir);
    }

    /** The same configuration with another agent jar (dev mode runs a private copy of the jar). */
    public WorkerConfig withAgentJar(Path jar) {
        return new WorkerConfig(mode, url, apiKey, apiSecret, jar, agentClass, agentName, workerType,
                deployment, permissions, jobExecutor, loadThreshold, maxJobs, maxRetry, numIdleProcesses,
                requestTimeout, initializeTimeout, shutdownTimeout, entrypointGrace, drainTimeout, pingInterval,
                pingTimeout, jobMemoryWarnMb, jobMemoryLimitMb, jobJvmOptions, healthHost, healthPort, logLevel,
                logFormat, pidFile, runDir, cacheDir);
    }

    @Override
    public String toString() {
        return "WorkerConfig[mode=" + mode + ", url=" + url + ", apiKey=" + apiKey + ", apiSecret=<redacted>"
                + ", agentJar=" + agentJar + ", agentClass=" + agentClass + ", agentName=" + agentName
                + ", workerType=" + workerType + ", deployment=" + deployment + ", permissions=" + permissions
                + ", jobExecutor=" + jobExecutor + ", loadThreshold=" + loadThreshold + ", maxJobs=" + maxJobs
                + ", maxRetry=" + maxRetry + ", numIdleProcesses=" + numIdleProcesses
                + ", requestTimeout=" + requestTimeout + ", initializeTimeout=" + initializeTimeout
                + ", shutdownTimeout=" + shutdownTimeout + ", entrypointGrace=" + entrypointGrace
                + ", drainTimeout=" + drainTimeout + ", pingInterval=" + pingInterval
                + ", pingTimeout=" + pingTimeout + ", jobMemoryWarnMb=" + jobMemoryWarnMb
                + ", jobMemoryLimitMb=" + jobMemoryLimitMb + ", jobJvmOptions=" + jobJvmOptions
                + ", health=" + healthHost + ":" + healthPort + ", logLevel=" + logLevel
                + ", logFormat=" + logFormat + ", pidFile=" + pidFile + ", runDir=" + runDir + ", cacheDir=" + cacheDir + "]";
    }
}
