package io.lkworker.runner;

import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.ipc.proto.Ipc.LogRecord;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Loggers of a child JVM and where their records go. One threshold for every logger (the daemon's
 * {@code --log-level}); the daemon applies its own per-logger levels when it re-logs a record.
 * Before {@link #attach} (nothing logs that early in practice) records go to the original stderr,
 * which the daemon captures to a file.
 */
final class IpcLoggerFactory implements ILoggerFactory {

    private static volatile ParentLink link;
    private static volatile int threshold = Level.INFO.toInt();
    private static final PrintStream EARLY = System.err;

    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, IpcLogger::new);
    }

    /** From now on records go to the daemon over {@code parent}, at {@code level} and above. */
    static void attach(ParentLink parent, String level) {
        threshold = parse(level).toInt();
        link = parent;
    }

    static boolean enabled(Level level) {
        return level.toInt() >= threshold;
    }

    static void emit(String logger, Level level, String message, String throwable) {
        ParentLink parent = link;
        if (parent == null) {
            EARLY.println(level + " " + logger + " - " + message + (throwable.isEmpty() ? "" : "\n" + throwable));
            return;
        }
        LogRecord.Builder record = LogRecord.newBuilder()
                .setLevel(level.toString())
                .setLogger(logger)
                .setMessage(message)
                .setThrowable(throwable);
        parent.send(Envelope.newBuilder().setLog(stamped(record)).build());
    }

    /** Adds what every record from this child carries: time, thread, and the caller's MDC (job id, room). */
    static LogRecord.Builder stamped(LogRecord.Builder record) {
        record.setTimestampMs(System.currentTimeMillis()).setThread(Thread.currentThread().getName());
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        if (mdc != null) {
            mdc.forEach((k, v) -> {
                if (k != null && v != null) {
                    record.putMdc(k, v);
                }
            });
        }
        return record;
    }

    private static Level parse(String level) {
        try {
            return Level.valueOf(level.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return Level.INFO;
        }
    }
}
