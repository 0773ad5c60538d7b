package io.lkworker.pool;

import io.lkworker.ipc.proto.Ipc.LogRecord;
import java.util.Map;
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

    private ChildLogForwarder() {
    }

    static void forward(LogRecord record, long pid, String jobId, String room) {
        Logger logger = LoggerFactory.getLogger(record.getLogger().isEmpty() ? "child" : record.getLogger());
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
