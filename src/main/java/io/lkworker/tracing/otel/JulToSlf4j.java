package io.lkworker.tracing.otel;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The OpenTelemetry SDK logs through java.util.logging (an export that failed, a setting it
 * corrected); this hands those records to SLF4J, so they appear as the worker's own lines (in a job
 * process: over IPC, with the job's id) instead of as JUL's two-line format on standard error.
 */
final class JulToSlf4j extends Handler {

    /** JUL holds loggers weakly: this reference keeps the configured one (and its handler) alive. */
    private static volatile Logger installed;

    static synchronized void install() {
        if (installed != null) {
            return;
        }
        Logger otel = Logger.getLogger("io.opentelemetry");
        otel.setUseParentHandlers(false);
        otel.addHandler(new JulToSlf4j());
        installed = otel;
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !isLoggable(record)) {
            return;
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
                record.getLoggerName() == null ? "io.opentelemetry" : record.getLoggerName());
        String message = record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0 && message != null) {
            message = java.text.MessageFormat.format(message, record.getParameters());
        }
        Throwable thrown = record.getThrown();
        // A collector that is down fails every batch: one line each, the stack only at debug level.
        if (thrown != null && !log.isDebugEnabled()) {
            message = message + " (" + thrown + ")";
            thrown = null;
        }
        int level = record.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            log.error(message, thrown);
        } else if (level >= Level.WARNING.intValue()) {
            log.warn(message, thrown);
        } else if (level >= Level.INFO.intValue()) {
            log.info(message, thrown);
        } else {
            log.debug(message, thrown);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
