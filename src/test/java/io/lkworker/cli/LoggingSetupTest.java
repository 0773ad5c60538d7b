package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.config.WorkerConfig.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LoggingSetupTest {

    private static final Logger log = LoggerFactory.getLogger("io.lkworker.test.Job");

    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        MDC.clear();
        System.clearProperty(LoggingSetup.CONFIG_FILE_PROPERTY);
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
    }

    private record Captured(String out, String err) {
    }

    /** Runs {@code body} with logging applied as given; what went to standard output and error. */
    private static Captured capture(LogFormat format, String level, Runnable body) {
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            LoggingSetup.apply(format, level);
            body.run();
            LoggingSetup.flush(); // records reach stdout from the log queue's own thread
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        return new Captured(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String stdout(LogFormat format, String level, Runnable body) {
        return capture(format, level, body).out();
    }

    @Test
    void jsonWritesOneObjectPerLineWithMdc() {
        long before = System.currentTimeMillis();
        String out = stdout(LogFormat.JSON, "INFO", () -> {
            MDC.put("job_id", "AJ_123");
            MDC.put("room", "lobby");
            log.info("job {} started", "AJ_123");
            log.warn("multi\nline \"quoted\" message", new IllegalStateException("boom"));
            MDC.clear();
            log.info("no job");
        });

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertThat(first.get("level").getAsString()).isEqualTo("INFO");
        assertThat(first.get("loggerName").getAsString()).isEqualTo("io.lkworker.test.Job");
        assertThat(first.get("formattedMessage").getAsString()).isEqualTo("job AJ_123 started");
        assertThat(first.getAsJsonObject("mdc").get("job_id").getAsString()).isEqualTo("AJ_123");
        assertThat(first.getAsJsonObject("mdc").get("room").getAsString()).isEqualTo("lobby");
        assertThat(first.has("message")).as("raw pattern is not written").isFalse();
        assertThat(first.has("arguments")).isFalse();
        assertThat(first.has("throwable")).isFalse();
        // ISO-8601 in UTC with milliseconds, not epoch milliseconds
        String timestamp = first.get("timestamp").getAsString();
        assertThat(timestamp).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Instant.parse(timestamp).toEpochMilli()).isBetween(before, System.currentTimeMillis());

        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertThat(second.get("formattedMessage").getAsString()).isEqualTo("multi\nline \"quoted\" message");
        assertThat(second.get("throwable").getAsString())
                .startsWith("java.lang.IllegalStateException: boom").contains("\tat ");

        JsonObject third = JsonParser.parseString(lines.get(2)).getAsJsonObject();
        assertThat(third.getAsJsonObject("mdc").size()).isZero();
    }

    @Test
    void jsonEscapesOnlyWhatJsonRequires() {
        String out = stdout(LogFormat.JSON, "INFO",
                () -> log.info("connecting to wss://host/agent?a=1&b=<2> 'x' \u00e9\u2028"));
        assertThat(out).contains("wss://host/agent?a=1&b=<2> 'x' \u00e9").doesNotContain("\\/")
                .doesNotContain("\\u0026").doesNotContain("\\u003c");
        assertThat(out.lines().toList()).hasSize(1);
        assertThat(JsonParser.parseString(out).getAsJsonObject().get("formattedMessage").getAsString())
                .endsWith("\u00e9\u2028");
    }

    @Test
    void textHasSingleSpacesAndTheMdcInBracketsOnlyWhenThereIsOne() {
        String out = stdout(LogFormat.TEXT, "INFO", () -> {
            MDC.put("job_id", "AJ_9");
            log.info("hello");
            MDC.clear();
            log.warn("bye");
        });
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO i\\.lkworker\\.test\\.Job \\[job_id=AJ_9] hello");
        assertThat(lines.get(1)).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN i\\.lkworker\\.test\\.Job bye");
        assertThat(out).doesNotContain("  ");
    }

    @Test
    void levelIsApplied() {
        String info = stdout(LogFormat.TEXT, "INFO", () -> {
            log.debug("hidden debug");
            log.info("shown info");
        });
        String debug = stdout(LogFormat.TEXT, "DEBUG", () -> log.debug("shown debug"));
        String error = stdout(LogFormat.JSON, "ERROR", () -> log.warn("hidden warn"));

        assertThat(info).contains("shown info").doesNotContain("hidden debug");
        assertThat(debug).contains("shown debug");
        assertThat(error).isEmpty();
    }

    @Test
    void chattyLibrariesStayAtInfo() {
        String out = stdout(LogFormat.TEXT, "TRACE", () -> {
            LoggerFactory.getLogger("oshi.util.FileUtil").debug("reading /proc/stat");
            LoggerFactory.getLogger("org.java_websocket.WebSocketImpl").debug("frame");
            log.trace("ours at trace");
        });
        assertThat(out).contains("ours at trace").doesNotContain("/proc/stat").doesNotContain("frame");
    }

    /** What the launcher does: -Dlogback.configurationFile names the installed file, which is then in force. */
    @Test
    void theConfigurationFileNamedByTheLauncherIsInForceWithFormatAndLevel() throws Exception {
        Path installed = tmp.resolve("logback.xml");
        Files.writeString(installed, Files.readString(Path.of("conf/logback.xml"))
                .replace("<pattern>%d{HH:mm:ss.SSS} ", "<pattern>INSTALLED ${lkworker.log.level} "));
        System.setProperty(LoggingSetup.CONFIG_FILE_PROPERTY, installed.toString());

        String text = stdout(LogFormat.TEXT, "WARN", () -> {
            log.info("hidden info");
            log.warn("shown warn");
        });
        String json = stdout(LogFormat.JSON, "INFO", () -> log.info("as json"));

        assertThat(text.lines().toList()).singleElement().asString().startsWith("INSTALLED WARN WARN ")
                .endsWith("shown warn");
        assertThat(JsonParser.parseString(json).getAsJsonObject().get("formattedMessage").getAsString())
                .isEqualTo("as json");
    }

    @Test
    void aBrokenConfigurationFileIsReportedInOneLineAndTheBuiltInOneIsUsed() throws Exception {
        Path broken = tmp.resolve("logback.xml");
        Files.writeString(broken, "<configuration><appender name=\"X\" class=\"no.such.Appender\"/>"
                + "<root><appender-ref ref=\"X\"/></root></configuration>");
        System.setProperty(LoggingSetup.CONFIG_FILE_PROPERTY, broken.toString());

        Captured run = capture(LogFormat.TEXT, "INFO", () -> log.info("still logging"));

        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("lk-worker: logging configuration " + broken + ": ")
                .contains("no.such.Appender").endsWith("; using the built-in one");
        assertThat(run.out()).contains("still logging");
    }

    @Test
    void aMissingConfigurationFileIsReportedAndTheBuiltInOneIsUsed() {
        Path missing = tmp.resolve("nowhere/logback.xml");
        System.setProperty(LoggingSetup.CONFIG_FILE_PROPERTY, missing.toString());

        Captured run = capture(LogFormat.JSON, "INFO", () -> log.info("still logging"));

        assertThat(run.err()).isEqualTo("lk-worker: logging configuration " + missing
                + " not found; using the built-in one (fix -Dlogback.configurationFile)" + System.lineSeparator());
        assertThat(JsonParser.parseString(run.out()).getAsJsonObject().get("formattedMessage").getAsString())
                .isEqualTo("still logging");
    }

    @Test
    void aContextStillBeingInitializedByAnotherThreadIsWaitedFor() {
        // SLF4J hands out substitutes while another thread initializes it; the context comes after
        ch.qos.logback.classic.LoggerContext real = new ch.qos.logback.classic.LoggerContext();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        org.slf4j.ILoggerFactory substitute = new org.slf4j.helpers.SubstituteLoggerFactory();
        assertThat(LoggingSetup.awaitContext(() -> asked.incrementAndGet() < 4 ? substitute : real,
                java.util.concurrent.TimeUnit.SECONDS.toNanos(10))).containsSame(real);
        assertThat(asked).hasValue(4);
    }

    @Test
    void anotherProviderIsNotWaitedFor() {
        org.slf4j.ILoggerFactory other = name -> org.slf4j.helpers.NOPLogger.NOP_LOGGER;
        assertThat(LoggingSetup.awaitContext(() -> other, java.util.concurrent.TimeUnit.SECONDS.toNanos(10))).isEmpty();
    }
}
