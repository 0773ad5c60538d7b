package io.lkworker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.NopStatusListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The configuration built in code is the shipped logback.xml: the same appenders, levels, hook and
 * status listener, and the same bytes for the same record, in both formats and at several levels.
 * If someone edits conf/logback.xml without DefaultLogging (or the other way round), this fails.
 */
class DefaultLoggingTest {

    @ParameterizedTest
    @CsvSource({"TEXT,INFO", "JSON,INFO", "TEXT,DEBUG", "JSON,WARN", "TEXT,TRACE"})
    void codeBuildsWhatTheShippedXmlBuilds(String format, String level) throws Exception {
        LoggerContext fromXml = new LoggerContext();
        fromXml.putProperty("lkworker.log.format", format);
        fromXml.putProperty("lkworker.log.level", level);
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(DefaultLogging.class.getResource("/logback.xml"));

        LoggerContext fromCode = new LoggerContext();
        DefaultLogging.configure(fromCode, format, Level.toLevel(level));
        try {
            assertThat(describe(fromCode)).isEqualTo(describe(fromXml));
            assertThat(render(fromCode)).isEqualTo(render(fromXml)).isNotEmpty();
        } finally {
            fromXml.stop();
            fromCode.stop();
        }
    }

    @Test
    void onlyTheShippedBytesCount(@TempDir Path dir) throws Exception {
        Path same = dir.resolve("logback.xml");
        Files.write(same, DefaultLogging.shipped());
        Path edited = dir.resolve("edited.xml");
        Files.writeString(edited, new String(DefaultLogging.shipped(), StandardCharsets.UTF_8)
                .replace("<logger name=\"oshi\" level=\"INFO\"/>", "<logger name=\"oshi\" level=\"WARN\"/>"));

        assertThat(DefaultLogging.isShipped(same)).isTrue();
        assertThat(DefaultLogging.isShipped(edited)).isFalse();
        assertThat(DefaultLogging.isShipped(dir.resolve("missing.xml"))).isFalse();
        assertThat(DefaultLogging.isShipped(Path.of("conf", "logback.xml"))).as("conf/logback.xml is what the jar carries").isTrue();
    }

    /** Everything a configuration decides, as text. */
    private static List<String> describe(LoggerContext context) {
        List<String> d = new ArrayList<>();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        d.add("root " + root.getLevel());
        for (String name : DefaultLogging.QUIET_LOGGERS) {
            d.add(name + " " + context.getLogger(name).getLevel());
        }
        // every logger that has a level of its own, so an added <logger> shows
        context.getLoggerList().stream().filter(l -> l.getLevel() != null)
                .forEach(l -> d.add("level " + l.getName() + " " + l.getLevel()));
        root.iteratorForAppenders().forEachRemaining(a -> describe(a, d, "root"));
        d.add("shutdown hook " + (context.getObject(CoreConstants.SHUTDOWN_HOOK_THREAD) != null));
        d.add("listeners " + context.getStatusManager().getCopyOfStatusListenerList().stream()
                .map(l -> l.getClass().getName()).filter(n -> n.equals(NopStatusListener.class.getName())).toList());
        return d;
    }

    private static void describe(Appender<ILoggingEvent> a, List<String> d, String parent) {
        d.add(parent + " -> " + a.getName() + " " + a.getClass().getName() + " started=" + a.isStarted());
        if (a instanceof BoundedAsyncAppender async) {
            d.add("queue " + async.getQueueSize() + " flush " + async.getMaxFlushTime());
            async.iteratorForAppenders().forEachRemaining(c -> describe(c, d, a.getName()));
        }
        if (a instanceof ConsoleAppender<ILoggingEvent> console) {
            d.add("target " + console.getTarget());
        }
        if (a instanceof OutputStreamAppender<ILoggingEvent> out) {
            d.add("encoder " + out.getEncoder().getClass().getName()
                    + (out.getEncoder() instanceof PatternLayoutEncoder p ? " " + p.getPattern() : ""));
        }
    }

    /** The bytes the console encoder produces for one fixed record with an MDC and a throwable. */
    private static String render(LoggerContext context) {
        ch.qos.logback.classic.Logger logger = context.getLogger("io.lkworker.worker.Worker");
        LoggingEvent e = new LoggingEvent("x", logger, Level.WARN, "job {} ended", new IllegalStateException("boom"),
                new Object[] {"AJ_1"});
        e.setTimeStamp(1_700_000_000_123L);
        e.setThreadName("lk-loop");
        e.setMDCPropertyMap(Map.of("job_id", "AJ_1", "room", "lobby"));
        BoundedAsyncAppender async = (BoundedAsyncAppender) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender(DefaultLogging.ASYNC);
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) async.iteratorForAppenders().next();
        return new String(console.getEncoder().encode(e), StandardCharsets.UTF_8);
    }
}
