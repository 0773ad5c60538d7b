package io.lkworker.dev.playground;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Copies every log record that carries a job id (MDC {@code job_id}: the daemon's lines about the job,
 * and the job's own lines, which the daemon re-logs from its child with the job's MDC) into the
 * {@link JobJournal}. Attached to logback's root logger for the life of {@code lk-worker dev}; it sees
 * the records the configured levels let through. Runs on the logging thread (often the event loop):
 * it only formats the message and hands it over, never blocks.
 */
final class JobLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    static final String NAME = "lkworker-playground-jobs";

    private final JobJournal journal;

    private JobLogAppender(JobJournal journal) {
        this.journal = journal;
        setName(NAME);
    }

    /** Attaches to the root logger; empty when logback is not SLF4J's provider (then no job lines are shown). */
    static Optional<AutoCloseable> attach(JobJournal journal) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return Optional.empty();
        }
        JobLogAppender appender = new JobLogAppender(journal);
        appender.setContext(context);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        return Optional.of(() -> {
            root.detachAppender(appender);
            appender.stop();
        });
    }

    @Override
    protected void append(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        String jobId = mdc == null ? null : mdc.get("job_id");
        if (jobId == null || jobId.isEmpty()) {
            return;
        }
        String message = event.getFormattedMessage();
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            message = message + " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")";
        }
        String logger = mdc.getOrDefault("child_logger", event.getLoggerName());
        journal.logLine(jobId, mdc.getOrDefault("room", ""), event.getTimeStamp(), event.getLevel().toString(),
                logger, message);
    }
}
