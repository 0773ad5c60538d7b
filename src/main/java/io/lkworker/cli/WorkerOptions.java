package io.lkworker.cli;

import picocli.CommandLine.Option;

/**
 * How jobs are run: capacity, the process pool, timeouts. Durations take 500ms, 10s, 2.5s, 1m, 1h
 * or plain seconds.
 */
public final class WorkerOptions {

    @Option(names = "--job-executor", paramLabel = "KIND", order = 40,
            description = "process (a child JVM per job) or thread (jobs on threads in this JVM). Default: process.")
    String jobExecutor;

    @Option(names = "--load-threshold", paramLabel = "LOAD", order = 41,
            description = "Report full and refuse jobs at this load, in (0, 1], or 'inf' to never. "
                    + "Default: 0.7; dev: inf.")
    String loadThreshold;

    @Option(names = "--max-jobs", paramLabel = "N", order = 42,
            description = "At most this many concurrent jobs; 0 = no cap. Default: 0.")
    String maxJobs;

    @Option(names = "--max-retry", paramLabel = "N", order = 43,
            description = "Connection retries after a failed attempt before giving up: N + 1 attempts in all. Default: 16.")
    String maxRetry;

    @Option(names = "--num-idle-processes", paramLabel = "N", order = 44,
            description = "Warm job processes kept ready. Default: min(CPUs, 4); dev: 1.")
    String numIdleProcesses;

    @Option(names = "--request-timeout", paramLabel = "DURATION", order = 45,
            description = "Deadline for the agent's onRequest to accept or reject a job. Default: 2s.")
    String requestTimeout;

    @Option(names = "--initialize-timeout", paramLabel = "DURATION", order = 46,
            description = "Deadline for a new job process to start and prewarm. Default: 10s.")
    String initializeTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", order = 47,
            description = "Deadline for each step of a job process's shutdown before it is killed. Default: 10s.")
    String shutdownTimeout;

    @Option(names = "--entrypoint-grace", paramLabel = "DURATION", order = 48,
            description = "How long a running entrypoint may take to return once its job is ending. Default: 15s.")
    String entrypointGrace;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", order = 49,
            description = "On SIGTERM, how long to wait for running jobs; 0 = no limit. Default: 3600s.")
    String drainTimeout;

    @Option(names = "--ping-interval", paramLabel = "DURATION", order = 50,
            description = "Interval of pings to job processes. Default: 2.5s.")
    String pingInterval;

    @Option(names = "--ping-timeout", paramLabel = "DURATION", order = 51,
            description = "A job process silent for this long is killed. Default: 60s.")
    String pingTimeout;

    @Option(names = "--job-memory-warn-mb", paramLabel = "MB", order = 52,
            description = "Warn when a job process uses more memory than this; 0 = off. Default: 1000.")
    String jobMemoryWarnMb;

    @Option(names = "--job-memory-limit-mb", paramLabel = "MB", order = 53,
            description = "Kill a job process that uses more memory than this; 0 = off. Default: 0.")
    String jobMemoryLimitMb;

    @Option(names = "--job-jvm-options", paramLabel = "OPTIONS", order = 54,
            description = "Extra JVM options for job processes, separated by spaces (e.g. \"-Xmx512m -XX:+UseSerialGC\").")
    String jobJvmOptions;

    @Option(names = "--pid-file", paramLabel = "FILE", order = 55,
            description = "The daemon's pid file, read by drain and status (always written). "
                    + "Default: lk-worker.pid in the run directory; dev: lk-worker-dev.pid.")
    String pidFile;

    @Option(names = "--run-dir", paramLabel = "DIR", order = 56,
            description = "Private runtime directory (IPC sockets, pid file). Default: $XDG_RUNTIME_DIR/lk-worker, "
                    + "else a per-user directory in the temp dir.")
    String runDir;

    @Option(names = "--cache-dir", paramLabel = "DIR", order = 57,
            description = "Where job processes' class-data archives and the WebRTC library are kept across restarts "
                    + "(cds/, native/). Default: the run directory.")
    String cacheDir;
}
