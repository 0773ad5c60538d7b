package io.lkworker.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The name of every setting, in the one spelling used everywhere: the command-line option is
 * {@code --<key>}, the config-file property is {@code <key>}, and the environment variable is
 * {@link #envVar(String)} of it.
 *
 * <p>Connection settings use LiveKit's own environment names (the ones the Python and Node workers
 * and the {@code lk} CLI read) so one environment serves every tool; everything else is
 * {@code LKW_<KEY>} in upper snake case.
 */
public final class ConfigKeys {

    public static final String URL = "url";
    public static final String API_KEY = "api-key";
    public static final String API_SECRET = "api-secret";
    public static final String AGENT = "agent";
    public static final String AGENT_CLASS = "agent-class";
    public static final String AGENT_NAME = "agent-name";
    public static final String WORKER_TYPE = "worker-type";
    public static final String DEPLOYMENT = "deployment";
    public static final String CAN_PUBLISH = "can-publish";
    public static final String CAN_SUBSCRIBE = "can-subscribe";
    public static final String CAN_PUBLISH_DATA = "can-publish-data";
    public static final String CAN_UPDATE_METADATA = "can-update-metadata";
    public static final String HIDDEN = "hidden";
    public static final String CAN_PUBLISH_SOURCES = "can-publish-sources";
    public static final String JOB_EXECUTOR = "job-executor";
    public static final String LOAD_THRESHOLD = "load-threshold";
    public static final String MAX_JOBS = "max-jobs";
    public static final String MAX_RETRY = "max-retry";
    public static final String NUM_IDLE_PROCESSES = "num-idle-processes";
    public static final String REQUEST_TIMEOUT = "request-timeout";
    public static final String INITIALIZE_TIMEOUT = "initialize-timeout";
    public static final String SHUTDOWN_TIMEOUT = "shutdown-timeout";
    public static final String ENTRYPOINT_GRACE = "entrypoint-grace";
    public static final String DRAIN_TIMEOUT = "drain-timeout";
    public static final String PING_INTERVAL = "ping-interval";
    public static final String PING_TIMEOUT = "ping-timeout";
    public static final String JOB_MEMORY_WARN_MB = "job-memory-warn-mb";
    public static final String JOB_MEMORY_LIMIT_MB = "job-memory-limit-mb";
    public static final String JOB_JVM_OPTIONS = "job-jvm-options";
    public static final String HEALTH_HOST = "health-host";
    public static final String HEALTH_PORT = "health-port";
    public static final String LOG_LEVEL = "log-level";
    public static final String LOG_FORMAT = "log-format";
    public static final String PID_FILE = "pid-file";
    public static final String RUN_DIR = "run-dir";
    public static final String CACHE_DIR = "cache-dir";

    /** Not a setting of its own: which config file to read ({@code --config} / {@code LKW_CONFIG}). */
    public static final String CONFIG = "config";

    /** Every setting that may appear on the command line, in the environment and in the config file. */
    public static final List<String> ALL = List.of(
            URL, API_KEY, API_SECRET, AGENT, AGENT_CLASS, AGENT_NAME, WORKER_TYPE, DEPLOYMENT,
            CAN_PUBLISH, CAN_SUBSCRIBE, CAN_PUBLISH_DATA, CAN_UPDATE_METADATA, HIDDEN, CAN_PUBLISH_SOURCES,
            JOB_EXECUTOR, LOAD_THRESHOLD, MAX_JOBS, MAX_RETRY, NUM_IDLE_PROCESSES,
            REQUEST_TIMEOUT, INITIALIZE_TIMEOUT, SHUTDOWN_TIMEOUT, ENTRYPOINT_GRACE, DRAIN_TIMEOUT,
            PING_INTERVAL, PING_TIMEOUT, JOB_MEMORY_WARN_MB, JOB_MEMORY_LIMIT_MB, JOB_JVM_OPTIONS,
            HEALTH_HOST, HEALTH_PORT, LOG_LEVEL, LOG_FORMAT, PID_FILE, RUN_DIR, CACHE_DIR);

    private static final Map<String, String> LIVEKIT_ENV = Map.of(
            URL, "LIVEKIT_URL",
            API_KEY, "LIVEKIT_API_KEY",
            API_SECRET, "LIVEKIT_API_SECRET",
            AGENT_NAME, "LIVEKIT_AGENT_NAME",
            DEPLOYMENT, "LIVEKIT_AGENT_DEPLOYMENT");

    private ConfigKeys() {
    }

    /** The environment variable that sets {@code key}: e.g. {@code LIVEKIT_URL}, {@code LKW_LOAD_THRESHOLD}. */
    public static String envVar(String key) {
        String livekit = LIVEKIT_ENV.get(key);
        return livekit != null ? livekit : "LKW_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The command-line option for {@code key}: {@code --key}. */
    public static String option(String key) {
        return "--" + key;
    }
}
