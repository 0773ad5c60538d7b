package io.lkworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lkworker.api.JobType;
import io.lkworker.config.WorkerConfig.ExecutorKind;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.config.WorkerConfig.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigResolverTest {

    private static final String SECRET = "s3cr3t-do-not-print";

    private static Map<String, String> prodMinimum() {
        Map<String, String> settings = new HashMap<>();
        settings.put("agent", "agent.jar");
        settings.put("url", "wss://example.livekit.cloud");
        settings.put("api-key", "APIkey");
        settings.put("api-secret", SECRET);
        return settings;
    }

    private static WorkerConfig prod(Map<String, String> settings) throws ConfigException {
        return new ConfigResolver(Mode.PROD, Map.of()).resolve(settings);
    }

    private static WorkerConfig dev(Map<String, String> settings) throws ConfigException {
        return new ConfigResolver(Mode.DEV, Map.of()).resolve(settings);
    }

    @Test
    void cacheDirDefaultsToTheRunDirectory() throws Exception {
        Map<String, String> settings = prodMinimum();
        settings.put("run-dir", "/run/lk-worker");
        WorkerConfig unset = prod(settings);
        settings.put("cache-dir", "/var/cache/lk-worker");
        WorkerConfig set = prod(settings);

        assertThat(unset.cacheDir()).isNull();
        assertThat(unset.cacheDirOrRunDir()).isEqualTo(Path.of("/run/lk-worker"));
        assertThat(set.cacheDirOrRunDir()).isEqualTo(Path.of("/var/cache/lk-worker"));
    }

    @Test
    void prodDefaults() throws Exception {
        WorkerConfig c = prod(prodMinimum());

        assertThat(c.mode()).isEqualTo(Mode.PROD);
        assertThat(c.url()).isEqualTo("wss://example.livekit.cloud");
        assertThat(c.apiKey()).isEqualTo("APIkey");
        assertThat(c.apiSecret()).isEqualTo(SECRET);
        assertThat(c.agentJar()).isEqualTo(Path.of("agent.jar").toAbsolutePath());
        assertThat(c.agentClass()).isNull();
        assertThat(c.agentName()).isEmpty();
        assertThat(c.workerType()).isEqualTo(JobType.ROOM);
        assertThat(c.deployment()).isEmpty();
        assertThat(c.permissions()).isEqualTo(WorkerPermissions.defaults());
        assertThat(c.jobExecutor()).isEqualTo(ExecutorKind.PROCESS);
        assertThat(c.loadThreshold()).isEqualTo(0.7);
        assertThat(c.maxJobs()).isZero();
        assertThat(c.maxRetry()).isEqualTo(16);
        assertThat(c.numIdleProcesses()).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), 4));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.initializeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.entrypointGrace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(c.pingInterval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.jobMemoryWarnMb()).isEqualTo(1000);
        assertThat(c.jobMemoryLimitMb()).isZero();
        assertThat(c.jobJvmOptions()).isEmpty();
        assertThat(c.healthHost()).isEqualTo("0.0.0.0");
        assertThat(c.healthPort()).isEqualTo(8081);
        assertThat(c.logLevel()).isEqualTo("INFO");
        assertThat(c.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(c.pidFile()).isNull();
        assertThat(c.runDir()).isNotNull();
    }

    @Test
    void devDefaultsDiffer() throws Exception {
        WorkerConfig c = dev(Map.of("agent", "agent.jar"));

        assertThat(c.mode()).isEqualTo(Mode.DEV);
        assertThat(c.url()).isNull();
        assertThat(c.apiKey()).isEqualTo("devkey");
        assertThat(c.apiSecret()).isEqualTo("secret");
        assertThat(c.loadThreshold()).isInfinite();
        assertThat(c.numIdleProcesses()).isEqualTo(1);
        assertThat(c.healthHost()).isEqualTo("127.0.0.1");
        assertThat(c.healthPort()).isZero();
        assertThat(c.logLevel()).isEqualTo("DEBUG");
        assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(3600));
    }

    @Test
    void devKeepsGivenUrlAndCredentials() throws Exception {
        WorkerConfig c = dev(Map.of("agent", "a.jar", "url", "ws://localhost:7880", "api-key", "k", "api-secret", "s"));
        assertThat(c.url()).isEqualTo("ws://localhost:7880");
        assertThat(c.apiKey()).isEqualTo("k");
        assertThat(c.apiSecret()).isEqualTo("s");
    }

    @Test
    void devWithOnlyOneOfKeyAndSecretIsAnError() {
        assertThatThrownBy(() -> dev(Map.of("agent", "a.jar", "api-key", "k")))
                .hasMessage("--api-secret: required when --api-key is set (set LIVEKIT_API_SECRET)");
        assertThatThrownBy(() -> dev(Map.of("agent", "a.jar", "api-secret", SECRET)))
                .hasMessage("--api-key: required when --api-secret is set (or set LIVEKIT_API_KEY)");
    }

    @Test
    void runDirFollowsXdgRuntimeDir() throws Exception {
        WorkerConfig c = new ConfigResolver(Mode.PROD, Map.of("XDG_RUNTIME_DIR", "/run/user/1000")).resolve(prodMinimum());
        assertThat(c.runDir()).isEqualTo(Path.of("/run/user/1000/lk-worker"));
    }

    @Test
    void parsesEveryKindOfValue() throws Exception {
        Map<String, String> s = prodMinimum();
        s.put("agent-class", "com.example.My$Agent");
        s.put("agent-name", "alice");
        s.put("worker-type", "Publisher");
        s.put("deployment", "blue");
        s.put("can-publish", "false");
        s.put("can-subscribe", "no");
        s.put("can-publish-data", "0");
        s.put("can-update-metadata", "off");
        s.put("hidden", "TRUE");
        s.put("can-publish-sources", "Microphone, camera,,microphone");
        s.put("job-executor", "thread");
        s.put("load-threshold", "inf");
        s.put("max-jobs", "8");
        s.put("max-retry", "0");
        s.put("num-idle-processes", "0");
        s.put("request-timeout", "500ms");
        s.put("initialize-timeout", "1m");
        s.put("shutdown-timeout", "2.5");
        s.put("entrypoint-grace", "0");
        s.put("drain-timeout", "0");
        s.put("ping-interval", "1s");
        s.put("ping-timeout", "1h");
        s.put("job-memory-warn-mb", "0");
        s.put("job-memory-limit-mb", "2048");
        s.put("job-jvm-options", "  -Xmx512m   -XX:+UseSerialGC ");
        s.put("health-host", "::1");
        s.put("health-port", "-1");
        s.put("log-level", "warn");
        s.put("log-format", "TEXT");
        s.put("pid-file", "/run/lk-worker.pid");
        s.put("run-dir", "/tmp/lkw");

        WorkerConfig c = prod(s);

        assertThat(c.agentClass()).isEqualTo("com.example.My$Agent");
        assertThat(c.agentName()).isEqualTo("alice");
        assertThat(c.workerType()).isEqualTo(JobType.PUBLISHER);
        assertThat(c.deployment()).isEqualTo("blue");
        assertThat(c.permissions()).isEqualTo(new WorkerPermissions(false, false, false, false, true,
                List.of("microphone", "camera")));
        assertThat(c.jobExecutor()).isEqualTo(ExecutorKind.THREAD);
        assertThat(c.loadThreshold()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(c.maxJobs()).isEqualTo(8);
        assertThat(c.maxRetry()).isZero();
        assertThat(c.numIdleProcesses()).isZero();
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.initializeTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.entrypointGrace()).isZero();
        assertThat(c.drainTimeout()).isZero();
        assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.pingTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.jobMemoryWarnMb()).isZero();
        assertThat(c.jobMemoryLimitMb()).isEqualTo(2048);
        assertThat(c.jobJvmOptions()).containsExactly("-Xmx512m", "-XX:+UseSerialGC");
        assertThat(c.healthHost()).isEqualTo("::1");
        assertThat(c.healthPort()).isEqualTo(-1);
        assertThat(c.logLevel()).isEqualTo("WARN");
        assertThat(c.logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(c.pidFile()).isEqualTo(Path.of("/run/lk-worker.pid"));
        assertThat(c.runDir()).isEqualTo(Path.of("/tmp/lkw"));
    }

    @ParameterizedTest
    @CsvSource({"none, Infinity", "INF, Infinity", "1, 1.0", "0.5, 0.5", "0.01, 0.01"})
    void loadThresholdAccepts(String text, double expected) throws Exception {
        Map<String, String> s = prodMinimum();
        s.put("load-threshold", text);
        assertThat(prod(s).loadThreshold()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "load-threshold|2|--load-threshold: must be in (0, 1] or 'inf', got 2",
        "load-threshold|0|--load-threshold: must be in (0, 1] or 'inf', got 0",
        "load-threshold|-0.5|--load-threshold: must be in (0, 1] or 'inf', got -0.5",
        "load-threshold|NaN|--load-threshold: must be in (0, 1] or 'inf', got NaN",
        "load-threshold|high|--load-threshold: must be in (0, 1] or 'inf', got high",
        "url|ftp://example.com|--url: scheme must be ws, wss, http or https, got ftp://example.com",
        "url|example.com:7880|--url: scheme must be ws, wss, http or https, got example.com:7880",
        "url|ws://exa mple.com|--url: not a valid URL, got 'ws://exa mple.com'",
        "url|wss:///agent|--url: has no host name, got wss:///agent",
        "worker-type|rooms|--worker-type: must be room, publisher or participant, got rooms",
        "job-executor|fork|--job-executor: must be process or thread, got fork",
        "max-jobs|-1|--max-jobs: must not be negative, got -1",
        "max-jobs|many|--max-jobs: must be a whole number, got many",
        "max-retry|-3|--max-retry: must not be negative, got -3",
        "num-idle-processes|1.5|--num-idle-processes: must be a whole number, got 1.5",
        "num-idle-processes|99999999999|--num-idle-processes: is too large, got 99999999999",
        "request-timeout|-1s|--request-timeout: must not be negative, got -1s",
        "request-timeout|0|--request-timeout: must be greater than zero, got 0",
        "initialize-timeout|soon|--initialize-timeout: not a duration (use e.g. 500ms, 2.5s, 1m, 1h or plain seconds), got soon",
        "shutdown-timeout|-10|--shutdown-timeout: must not be negative, got -10",
        "entrypoint-grace|-1ms|--entrypoint-grace: must not be negative, got -1ms",
        "drain-timeout|-1h|--drain-timeout: must not be negative, got -1h",
        "ping-interval|0s|--ping-interval: must be greater than zero, got 0s",
        "ping-timeout|2s|--ping-timeout: must be longer than --ping-interval (2.5s), got 2s",
        "job-memory-warn-mb|-1|--job-memory-warn-mb: must not be negative, got -1",
        "job-memory-limit-mb|1GB|--job-memory-limit-mb: must be a whole number, got 1GB",
        "health-port|65536|--health-port: must be a port number 0-65535 (0 = any free port) or -1 to disable, got 65536",
        "health-port|-2|--health-port: must be a port number 0-65535 (0 = any free port) or -1 to disable, got -2",
        "health-host|' '|--health-host: must not be empty, got ' '",
        "log-level|verbose|--log-level: must be TRACE, DEBUG, INFO, WARN or ERROR, got verbose",
        "log-format|xml|--log-format: must be json or text, got xml",
        "can-publish|maybe|--can-publish: must be true or false, got maybe",
        "hidden|2|--hidden: must be true or false, got 2",
        "can-publish-sources|camera,mic|--can-publish-sources: unknown source 'mic' (allowed: camera, microphone, screen_share, screen_share_audio), got camera,mic",
        "agent-class|com/example/Agent|--agent-class: not a Java class name (like com.example.MyAgent), got com/example/Agent",
    })
    void rejectsInvalidValuesWithOneLine(String key, String value, String message) {
        Map<String, String> s = prodMinimum();
        s.put(key, value);
        assertThatThrownBy(() -> prod(s))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void requiredInProd() {
        for (String key : List.of("url", "api-key", "api-secret", "agent")) {
            Map<String, String> s = prodMinimum();
            s.remove(key);
            assertThatThrownBy(() -> prod(s)).as(key).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("--" + key + ": required");
        }
        Map<String, String> s = prodMinimum();
        s.put("api-secret", "   ");
        assertThatThrownBy(() -> prod(s)).hasMessage("--api-secret: required: the LiveKit API secret (or set LIVEKIT_API_SECRET)");
        assertThatThrownBy(() -> dev(Map.of())).hasMessage("--agent: required: the agent jar to run (or set LKW_AGENT)");
    }

    @Test
    void errorsNameTheSourceWhenNotTheCommandLine() {
        ConfigResolver resolver = new ConfigResolver(Mode.PROD, Map.of());
        Map<String, String> s = prodMinimum();
        assertThatThrownBy(() -> resolver.resolve(key -> key.equals("load-threshold")
                ? new RawValue("2", "environment variable LKW_LOAD_THRESHOLD")
                : s.containsKey(key) ? RawValue.commandLine(s.get(key)) : null))
                .hasMessage("--load-threshold: must be in (0, 1] or 'inf', got 2 (from environment variable LKW_LOAD_THRESHOLD)");
    }

    @Test
    void secretNeverInToString() throws Exception {
        WorkerConfig c = prod(prodMinimum());
        assertThat(c.toString()).doesNotContain(SECRET).contains("apiSecret=<redacted>");
        assertThat(dev(Map.of("agent", "a.jar")).toString()).doesNotContain("=secret");
    }
}
