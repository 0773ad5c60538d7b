package io.lkworker.pool;

import io.lkworker.ipc.proto.Ipc.LogRecord;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Re-logs a child's log records in the daemon: same logger name and level, the child's MDC plus
 * {@code pid}, {@code job_id} and {@code room}. Loop thread (it borrows the loop thread's MDC and
 * restores it).
 */
final class ChildLogForwarder {

    /**
     * Distinct child logger names re-created in the daemon. Logback keeps every logger it ever made,
     * and a child may invent names without end (one per room, per request...): past this many, records
     * go to the logger "child" with the original name in the MDC ({@code child_logger}).
     */
    static final int MAX_LOGGER_NAMES = 2_000;
    /** The names given their own logger so far (one forwarder per pool; loop thread). */
    private final Set<String> names = new HashSet<>();

    void forward(LogRecord record, long pid, String jobId, String room) {
        String name = record.getLogger().isEmpty() ? "child" : record.getLogger();
        boolean known = names.contains(name) || (names.size() < MAX_LOGGER_NAMES && names.add(name));
        Logger logger = LoggerFactory.getLogger(known ? name : "child");
        Level level = level(record.getLevel());
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        Map<String, String> saved = MDC.getCopyOfContextMap();
        try {
            MDC.clear();
            record.getMdcMap().forEach(MDC::put);
            MDC.put("pid", Long.toString(pid));
            if (jobId != null) {
                MDC.put("job_id", jobId);
                MDC.put("room", room);
            }
            if (!known) {
                MDC.put("child_logger", name);
            }
            if (!record.getThread().isEmpty()) {
                MDC.put("child_thread", record.getThread());
            }
            String message = record.getThrowable().isEmpty()
                    ? record.getMessage()
                    : record.getMessage() + System.lineSeparator() + record.getThrowable();
            logger.atLevel(level).log("{}", message);
        } finally {
            if (saved == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(saved);
            }
        }
    }

    private static Level level(String name) {
        return switch (name) {
            case "TRACE" -> Level.TRACE;
            case "DEBUG" -> Level.DEBUG;
            case "WARN" -> Level.WARN;
            case "ERROR" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
