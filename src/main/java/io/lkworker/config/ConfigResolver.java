package io.lkworker.config;

import static io.lkworker.config.ConfigKeys.*;

import io.lkworker.api.JobType;
import io.lkworker.config.WorkerConfig.ExecutorKind;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.config.WorkerConfig.Mode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the user's settings (already layered: command line over environment over config file)
 * plus the mode's built-in defaults into a validated {@link WorkerConfig}.
 *
 * <p>All values, defaults included, are text parsed here, so a bad value gets the same one-line
 * message wherever it came from: {@code --load-threshold: must be in (0, 1] or 'inf', got 2},
 * followed by {@code (from environment variable LKW_LOAD_THRESHOLD)} when it was not typed on the
 * command line. The API secret is never echoed.
 */
public final class ConfigResolver {

    private static final Set<String> URL_SCHEMES = Set.of("ws", "wss", "http", "https");
    private static final List<String> SOURCES = List.of("camera", "microphone", "screen_share", "screen_share_audio");
    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private final Mode mode;
    private final Map<String, String> defaults;

    /** @param env the environment, only for defaults that depend on it (the run directory) */
    public ConfigResolver(Mode mode, Map<String, String> env) {
        this.mode = mode;
        this.defaults = ConfigDefaults.forMode(mode, env);
    }

    /** Resolves settings given as plain strings (as if typed on the command line), e.g. in tests. */
    public WorkerConfig resolve(Map<String, String> settings) throws ConfigException {
        return resolve(key -> settings.containsKey(key) ? RawValue.commandLine(settings.get(key)) : null);
    }

    /**
     * @param given for each key of {@link ConfigKeys#ALL}: the user's value, or null to take the default
     */
    public WorkerConfig resolve(Function<String, RawValue> given) throws ConfigException {
        return new Resolution(given).build();
    }

    /** A parse that may fail with a one-line problem. */
    @FunctionalInterface
    private interface Parse<T> {
        T get() throws ConfigException;
    }

    /**
     * One resolution: the lookups and the error helpers. Every setting is checked even after one
     * failed, so a single run reports every problem (in the order of the options).
     */
    private final class Resolution {
        private final Function<String, RawValue> given;
        private final List<String> problems = new ArrayList<>();

        Resolution(Function<String, RawValue> given) {
            this.given = given;
        }

        /** The parsed value, or {@code fallback} with the problem recorded. */
        private <T> T check(Parse<T> parse, T fallback) {
            try {
                return parse.get();
            } catch (ConfigException e) {
                problems.addAll(e.problems());
                return fallback;
            }
        }

        WorkerConfig build() throws ConfigException {
            Path agentJar = check(() -> {
                Path jar = path(AGENT);
                if (jar == null) {
                    throw new ConfigException("--agent: required: the agent jar to run (or set " + envVar(AGENT) + ")");
                }
                return jar;
            }, null);
            String url = check(this::url, null);
            String apiKey = text(API_KEY);
            String apiSecret = text(API_SECRET);
            if (mode == Mode.PROD) {
                require(url, URL, "the LiveKit server URL");
                require(apiKey, API_KEY, "the LiveKit API key");
                require(apiSecret, API_SECRET, "the LiveKit API secret");
            } else if (apiKey == null && apiSecret == null) {
                // What `livekit-server --dev` (and the embedded dev server) accept.
                apiKey = ConfigDefaults.DEV_API_KEY;
                apiSecret = ConfigDefaults.DEV_API_SECRET;
            } else if (apiKey == null) {
                problems.add("--api-key: required when --api-secret is set (or set " + envVar(API_KEY) + ")");
            } else if (apiSecret == null) {
                problems.add("--api-secret: required when --api-key is set (set " + envVar(API_SECRET) + ")");
            }

            String agentClass = text(AGENT_CLASS);
            if (agentClass != null && !CLASS_NAME.matcher(agentClass).matches()) {
                problems.add(fail(AGENT_CLASS, "not a Java class name (like com.example.MyAgent)").getMessage());
            }
            JobType workerType = check(() -> choice(WORKER_TYPE, Map.of(
                    "room", JobType.ROOM, "publisher", JobType.PUBLISHER, "participant", JobType.PARTICIPANT),
                    "room, publisher or participant"), JobType.ROOM);
            WorkerPermissions permissions = new WorkerPermissions(check(() -> bool(CAN_PUBLISH), true),
                    check(() -> bool(CAN_SUBSCRIBE), true), check(() -> bool(CAN_PUBLISH_DATA), true),
                    check(() -> bool(CAN_UPDATE_METADATA), true), check(() -> bool(HIDDEN), false),
                    check(this::sources, List.of()));
            ExecutorKind executor = check(() -> choice(JOB_EXECUTOR,
                    Map.of("process", ExecutorKind.PROCESS, "thread", ExecutorKind.THREAD), "process or thread"),
                    ExecutorKind.PROCESS);
            double loadThreshold = check(this::loadThreshold, 1.0);
            int maxJobs = check(() -> nonNegativeInt(MAX_JOBS), 0);
            int maxRetry = check(() -> nonNegativeInt(MAX_RETRY), 0);
            int idle = check(() -> nonNegativeInt(NUM_IDLE_PROCESSES), 0);
            Duration requestTimeout = check(() -> duration(REQUEST_TIMEOUT, false), Duration.ofSeconds(1));
            Duration initializeTimeout = check(() -> duration(INITIALIZE_TIMEOUT, false), Duration.ofSeconds(1));
            Duration shutdownTimeout = check(() -> duration(SHUTDOWN_TIMEOUT, false), Duration.ofSeconds(1));
            Duration entrypointGrace = check(() -> duration(ENTRYPOINT_GRACE, true), Duration.ZERO);
            Duration drainTimeout = check(() -> duration(DRAIN_TIMEOUT, true), Duration.ZERO);
            Duration pingInterval = check(() -> duration(PING_INTERVAL, false), null);
            Duration pingTimeout = check(() -> duration(PING_TIMEOUT, false), null);
            if (pingInterval != null && pingTimeout != null && pingTimeout.compareTo(pingInterval) <= 0) {
                problems.add(fail(PING_TIMEOUT, "must be longer than --ping-interval ("
                        + Durations.format(pingInterval) + ")").getMessage());
            }
            long memoryWarn = check(() -> nonNegativeLong(JOB_MEMORY_WARN_MB), 0L);
            long memoryLimit = check(() -> nonNegativeLong(JOB_MEMORY_LIMIT_MB), 0L);
            String healthHost = check(() -> {
                String host = text(HEALTH_HOST);
                if (host == null) {
                    throw fail(HEALTH_HOST, "must not be empty");
                }
                return host;
            }, "");
            int healthPort = check(() -> {
                int port = integer(HEALTH_PORT);
                if (port < -1 || port > 65535) {
                    throw fail(HEALTH_PORT, "must be a port number 0-65535 (0 = any free port) or -1 to disable");
                }
                return port;
            }, -1);
            String level = check(() -> {
                String value = raw(LOG_LEVEL).value().trim().toUpperCase(Locale.ROOT);
                if (!LOG_LEVELS.contains(value)) {
                    throw fail(LOG_LEVEL, "must be TRACE, DEBUG, INFO, WARN or ERROR");
                }
                return value;
            }, "INFO");
            LogFormat logFormat = check(() -> choice(LOG_FORMAT,
                    Map.of("json", LogFormat.JSON, "text", LogFormat.TEXT), "json or text"), LogFormat.TEXT);
            Path pidFile = check(() -> path(PID_FILE), null);
            Path runDir = check(() -> path(RUN_DIR), null);
            if (pidFile == null && runDir != null && mode == Mode.DEV) {
                // dev has a pid file of its own: a dev session (say, the embedded server for a start daemon
                // on the same machine) must neither make start refuse to run nor be what drain signals
                pidFile = runDir.resolve(ConfigDefaults.DEV_PID_FILE_NAME);
            }
            Path cacheDir = check(() -> path(CACHE_DIR), null);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return new WorkerConfig(mode, url, apiKey, apiSecret, agentJar, agentClass,
                    textOrEmpty(AGENT_NAME), workerType, textOrEmpty(DEPLOYMENT), permissions, executor,
                    loadThreshold, maxJobs, maxRetry, idle, requestTimeout, initializeTimeout, shutdownTimeout,
                    entrypointGrace, drainTimeout, pingInterval, pingTimeout, memoryWarn, memoryLimit, jvmOptions(),
                    healthHost, healthPort, level, logFormat, pidFile, runDir, cacheDir);
        }

        /** The user's value, else the default, else null. */
        private RawValue raw(String key) {
            RawValue value = given.apply(key);
            if (value != null) {
                return value;
            }
            String fallback = defaults.get(key);
            return fallback == null ? null : new RawValue(fallback, RawValue.DEFAULT);
        }

        private ConfigException fail(String key, String problem) {
            RawValue value = raw(key);
            String got = key.equals(API_SECRET) || value == null ? "" : ", got " + quoteIfNeeded(value.value());
            return new ConfigException(option(key) + ": " + problem + got + (value == null ? "" : value.suffix()));
        }

        /** A required setting without a value is a problem; the URL's own problems are already recorded. */
        private void require(String value, String key, String what) {
            if (value == null && (!key.equals(URL) || text(URL) == null)) {
                problems.add(option(key) + ": required: " + what + " (or set " + envVar(key) + ")");
            }
        }

        /** Trimmed text; blank counts as not set. */
        private String text(String key) {
            RawValue value = raw(key);
            return value == null || value.value().isBlank() ? null : value.value().trim();
        }

        private String textOrEmpty(String key) {
            String value = text(key);
            return value == null ? "" : value;
        }

        private String url() throws ConfigException {
            String url = text(URL);
            if (url == null) {
                return null;
            }
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw fail(URL, "not a valid URL");
            }
            String scheme = uri.getScheme();
            if (scheme == null || !URL_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT))) {
                throw fail(URL, "scheme must be ws, wss, http or https");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw fail(URL, "has no host name");
            }
            return url;
        }

        private Path path(String key) throws ConfigException {
            String value = text(key);
            if (value == null) {
                return null;
            }
            try {
                return Path.of(value).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw fail(key, "not a valid path");
            }
        }

        private <E> E choice(String key, Map<String, E> choices, String allowed) throws ConfigException {
            String value = text(key);
            E choice = value == null ? null : choices.get(value.toLowerCase(Locale.ROOT));
            if (choice == null) {
                throw fail(key, "must be " + allowed);
            }
            return choice;
        }

        private boolean bool(String key) throws ConfigException {
            String value = text(key);
            switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1":
                    return true;
                case "false", "no", "off", "0":
                    return false;
                default:
                    throw fail(key, "must be true or false");
            }
        }

        private List<String> sources() throws ConfigException {
            List<String> result = new ArrayList<>();
            String value = text(CAN_PUBLISH_SOURCES);
            if (value == null) {
                return result;
            }
            for (String item : value.split(",")) {
                String source = item.trim().toLowerCase(Locale.ROOT);
                if (source.isEmpty()) {
                    continue;
                }
                if (!SOURCES.contains(source)) {
                    throw fail(CAN_PUBLISH_SOURCES, "unknown source '" + item.trim()
                            + "' (allowed: camera, microphone, screen_share, screen_share_audio)");
                }
                if (!result.contains(source)) {
                    result.add(source);
                }
            }
            return result;
        }

        private double loadThreshold() throws ConfigException {
            String value = text(LOAD_THRESHOLD);
            String lower = value == null ? "" : value.toLowerCase(Locale.ROOT);
            if (List.of("inf", "+inf", "infinity", "none").contains(lower)) {
                return Double.POSITIVE_INFINITY;
            }
            double threshold;
            try {
                threshold = Double.parseDouble(lower);
            } catch (NumberFormatException e) {
                threshold = Double.NaN;
            }
            if (!(threshold > 0 && threshold <= 1)) {
                throw fail(LOAD_THRESHOLD, "must be in (0, 1] or 'inf'");
            }
            return threshold;
        }

        private long parseLong(String key) throws ConfigException {
            String value = text(key);
            try {
                return Long.parseLong(value == null ? "" : value);
            } catch (NumberFormatException e) {
                throw fail(key, "must be a whole number");
            }
        }

        private int integer(String key) throws ConfigException {
            long value = parseLong(key);
            if (value != (int) value) {
                throw fail(key, "is too large");
            }
            return (int) value;
        }

        private int nonNegativeInt(String key) throws ConfigException {
            int value = integer(key);
            if (value < 0) {
                throw fail(key, "must not be negative");
            }
            return value;
        }

        private long nonNegativeLong(String key) throws ConfigException {
            long value = parseLong(key);
            if (value < 0) {
                throw fail(key, "must not be negative");
            }
            return value;
        }

        private Duration duration(String key, boolean zeroAllowed) throws ConfigException {
            String value = text(key);
            Duration duration;
            try {
                duration = Durations.parse(value == null ? "" : value);
            } catch (IllegalArgumentException e) {
                throw fail(key, e.getMessage());
            }
            if (duration.isNegative()) {
                throw fail(key, "must not be negative");
            }
            if (duration.isZero() && !zeroAllowed) {
                throw fail(key, "must be greater than zero");
            }
            return duration;
        }

        private List<String> jvmOptions() {
            String value = text(JOB_JVM_OPTIONS);
            return value == null ? List.of() : Arrays.asList(value.split("\\s+"));
        }
    }

    private static String quoteIfNeeded(String value) {
        return value.isEmpty() || !value.strip().equals(value) || value.contains(" ") ? "'" + value + "'" : value;
    }
}
