package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.config.WorkerConfig.LogFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LoggingSetupTest {

    private static final Logger log = LoggerFactory.getLogger("io.lkworker.test.Job");

    @AfterEach
    void restore() {
        MDC.clear();
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
    }

    /** Runs {@code body} with logging applied as given and returns what went to standard output. */
    private static String capture(LogFormat format, String level, Runnable body) {
        PrintStream real = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            LoggingSetup.apply(format, level);
            body.run();
        } finally {
            System.setOut(real);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonWritesOneObjectPerLineWithMdc() {
        String out = capture(LogFormat.JSON, "INFO", () -> {
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

        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertThat(second.get("formattedMessage").getAsString()).isEqualTo("multi\nline \"quoted\" message");
        assertThat(second.getAsJsonObject("throwable").toString()).contains("boom");

        JsonObject third = JsonParser.parseString(lines.get(2)).getAsJsonObject();
        assertThat(third.getAsJsonObject("mdc").has("job_id")).isFalse();
    }

    @Test
    void textShowsMdcAndMessage() {
        String out = capture(LogFormat.TEXT, "INFO", () -> {
            MDC.put("job_id", "AJ_9");
            log.info("hello");
        });
        assertThat(out).contains("INFO").contains("job_id=AJ_9").contains("hello").doesNotStartWith("{");
    }

    @Test
    void levelIsApplied() {
        String info = capture(LogFormat.TEXT, "INFO", () -> {
            log.debug("hidden debug");
            log.info("shown info");
        });
        String debug = capture(LogFormat.TEXT, "DEBUG", () -> log.debug("shown debug"));
        String error = capture(LogFormat.JSON, "ERROR", () -> log.warn("hidden warn"));

        assertThat(info).contains("shown info").doesNotContain("hidden debug");
        assertThat(debug).contains("shown debug");
        assertThat(error).isEmpty();
    }

    @Test
    void chattyLibrariesStayAtInfo() {
        String out = capture(LogFormat.TEXT, "TRACE", () -> {
            LoggerFactory.getLogger("oshi.util.FileUtil").debug("reading /proc/stat");
            LoggerFactory.getLogger("org.java_websocket.WebSocketImpl").debug("frame");
            log.trace("ours at trace");
        });
        assertThat(out).contains("ours at trace").doesNotContain("/proc/stat").doesNotContain("frame");
    }
}
