package io.lkworker.config;

import static io.lkworker.config.ConfigKeys.*;

import io.lkworker.config.WorkerConfig.Mode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Built-in defaults, the last layer under flags, environment and config file. They are written as
 * the user would write them and go through the same parsing and validation as user input.
 *
 * <p>Values follow LiveKit's Python worker (its ServerOptions) where it has the option. DEV differs
 * from PROD in: load threshold (off), idle processes (1: Python uses 0, but one warm child makes the
 * first job of a dev session start fast), health server (loopback, random port), log level (DEBUG)
 * and log format (text for a terminal instead of JSON for a collector).
 */
public final class ConfigDefaults {

    /** The pid file {@code dev} writes in its run directory unless one is configured ({@code start}: lk-worker.pid). */
    public static final String DEV_PID_FILE_NAME = "lk-worker-dev.pid";

    /** Python's ServerOptions default; AgentServer's uncapped ceil(cpu) would spawn too many JVMs on big hosts. */
    static final int MAX_DEFAULT_IDLE_PROCESSES = 4;

    /** What `lk-worker dev` uses without a URL: the credentials `livekit-server --dev` accepts. */
    public static final String DEV_API_KEY = "devkey";
    public static final String DEV_API_SECRET = "secret";

    private ConfigDefaults() {
    }

    /**
     * The default for every key that has one (no entry: no default — url, api-key, api-secret,
     * agent, agent-class, pid-file are absent unless the user sets them).
     *
     * @param env the environment (for XDG_RUNTIME_DIR)
     */
    public static Map<String, String> forMode(Mode mode, Map<String, String> env) {
        boolean dev = mode == Mode.DEV;
        Map<String, String> d = new HashMap<>();
        d.put(AGENT_NAME, "");
        d.put(WORKER_TYPE, "room");
        d.put(DEPLOYMENT, "");
        d.put(CAN_PUBLISH, "true");
        d.put(CAN_SUBSCRIBE, "true");
        d.put(CAN_PUBLISH_DATA, "true");
        d.put(CAN_UPDATE_METADATA, "true");
        d.put(HIDDEN, "false");
        d.put(CAN_PUBLISH_SOURCES, "");
        d.put(JOB_EXECUTOR, "process");
        d.put(LOAD_THRESHOLD, dev ? "inf" : "0.7");
        d.put(MAX_JOBS, "0");
        d.put(MAX_RETRY, "16");
        d.put(NUM_IDLE_PROCESSES, dev ? "1" : Integer.toString(prodIdleProcesses()));
        d.put(REQUEST_TIMEOUT, "2s");
        d.put(INITIALIZE_TIMEOUT, "10s");
        d.put(SHUTDOWN_TIMEOUT, "10s");
        d.put(ENTRYPOINT_GRACE, "15s");
        d.put(DRAIN_TIMEOUT, "3600s");
        d.put(PING_INTERVAL, "2.5s");
        d.put(PING_TIMEOUT, "60s");
        d.put(JOB_MEMORY_WARN_MB, "1000");
        d.put(JOB_MEMORY_LIMIT_MB, "0");
        d.put(JOB_JVM_OPTIONS, "");
        d.put(HEALTH_HOST, dev ? "127.0.0.1" : "0.0.0.0");
        d.put(HEALTH_PORT, dev ? "0" : "8081");
        d.put(LOG_LEVEL, dev ? "DEBUG" : "INFO");
        d.put(LOG_FORMAT, dev ? "text" : "json");
        d.put(RUN_DIR, defaultRunDir(env).toString());
        return d;
    }

    /** min(cores, 4): availableProcessors() already honours container CPU quotas on JDK 17. */
    static int prodIdleProcesses() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MAX_DEFAULT_IDLE_PROCESSES);
    }

    /**
     * $XDG_RUNTIME_DIR/lk-worker (per-user, tmpfs, private) when the session has one, otherwise a
     * per-user directory under java.io.tmpdir. The daemon creates it owner-only.
     */
    static Path defaultRunDir(Map<String, String> env) {
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "lk-worker");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "lk-worker-" + System.getProperty("user.name"));
    }
}
