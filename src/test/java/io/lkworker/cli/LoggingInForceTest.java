package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.testing.TestJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logging configuration in force, through the real launcher: {@code lk-worker start} with a real
 * agent jar runs until it gives up on a server that refuses connections (exit 1), logging as it goes.
 * From the source checkout (bin/lk-worker uses conf/logback.xml of the checkout) and from an installed
 * layout whose conf/logback.xml was edited.
 */
@Tag("process")
class LoggingInForceTest {

    private static final Path LAUNCHER = Path.of("bin/lk-worker").toAbsolutePath();

    @TempDir
    Path tmp;
    private Path agentJar;

    @BeforeEach
    void agent() {
        agentJar = TestJars.agentJar(tmp.resolve("quiet.jar"), "demo.QuietAgent", TestJars.simpleAgent("demo.QuietAgent"));
    }

    private record Run(int code, List<String> stdout, String stderr) {
    }

    /** start against a port nobody listens on, without retries: it logs its start-up and gives up. */
    private Run start(Path launcher, Map<String, String> env) throws Exception {
        Path runDir = Files.createTempDirectory(tmp, "run");
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "start", "--agent", agentJar.toString(),
                "--url", "ws://127.0.0.1:1", "--max-retry", "0", "--job-executor", "thread", "--health-port", "-1",
                "--run-dir", runDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("LKW_") || k.startsWith("LIVEKIT_") || k.startsWith("LOG_")
                || k.equals("JAVA_OPTS"));
        Map<String, String> all = new HashMap<>(Map.of("JAVA_HOME", System.getProperty("java.home"),
                "LIVEKIT_API_KEY", "key", "LIVEKIT_API_SECRET", "secret-that-is-long-enough-for-hs256"));
        all.putAll(env);
        pb.environment().putAll(all);
        Path err = tmp.resolve("stderr-" + System.nanoTime());
        pb.redirectError(err.toFile());
        Process process = pb.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out.lines().toList(), Files.readString(err));
    }

    @Test
    void startLogsJsonByDefaultWithTheSourceCheckoutsConfiguration() throws Exception {
        Run run = start(LAUNCHER, Map.of());

        assertThat(run.code()).as(run.stderr()).isEqualTo(1);
        assertThat(run.stdout()).isNotEmpty().allSatisfy(line -> {
            JsonObject record = JsonParser.parseString(line).getAsJsonObject();
            assertThat(record.get("timestamp").getAsString()).endsWith("Z");
            assertThat(line).doesNotContain("\\/");
        });
        assertThat(run.stdout()).anySatisfy(line -> assertThat(line).contains("starting in PROD mode")
                .contains("ws://127.0.0.1:1"));
        assertThat(run.stdout()).anySatisfy(line -> assertThat(line).contains("\"level\":\"ERROR\"")
                .contains("giving up"));
    }

    @Test
    void logFormatAndLevelComeFromTheDocumentedSettings() throws Exception {
        Run text = start(LAUNCHER, Map.of("LKW_LOG_FORMAT", "text"));
        Run warn = start(LAUNCHER, Map.of("LKW_LOG_LEVEL", "WARN"));

        assertThat(text.stdout()).isNotEmpty().noneSatisfy(line -> assertThat(line).startsWith("{"));
        assertThat(text.stdout()).anySatisfy(line -> assertThat(line)
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .* lk-worker .* starting in PROD mode.*"));
        assertThat(warn.stdout()).isNotEmpty().noneSatisfy(line -> assertThat(line).contains("\"level\":\"INFO\""));
        assertThat(warn.stdout()).anySatisfy(line -> assertThat(line).contains("giving up"));
    }

    @Test
    void theUnreadVariablesOfOldReleasesAreNamedInAWarning() throws Exception {
        Run run = start(LAUNCHER, Map.of("LOG_FORMAT", "TEXT", "LOG_LEVEL", "DEBUG"));

        assertThat(run.stdout()).allSatisfy(line -> assertThat(line).startsWith("{"));
        assertThat(run.stdout()).anySatisfy(line -> assertThat(line).contains("\"level\":\"WARN\"")
                .contains("LOG_FORMAT is set but not read; use LKW_LOG_FORMAT or --log-format instead"));
        assertThat(run.stdout()).anySatisfy(line -> assertThat(line)
                .contains("LOG_LEVEL is set but not read; use LKW_LOG_LEVEL or --log-level instead"));
        assertThat(run.stdout()).noneSatisfy(line -> assertThat(line).contains("\"level\":\"DEBUG\""));
    }

    @Test
    void anInstalledConfigurationIsTheOneInForceEditsIncluded() throws Exception {
        Path home = DistributionFilesTest.installedLayout(tmp.resolve("opt/lk-worker"));
        Files.writeString(home.resolve("conf/logback.xml"), Files.readString(Path.of("conf/logback.xml"))
                .replace("<pattern>%d{HH:mm:ss.SSS} ", "<pattern>EDITED-ON-THIS-HOST "));

        Run run = start(home.resolve("bin/lk-worker"), Map.of("LKW_LOG_FORMAT", "text"));

        assertThat(run.code()).as(run.stderr()).isEqualTo(1);
        assertThat(run.stdout()).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("EDITED-ON-THIS-HOST "));
    }
}
