package io.lkworker.runner;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.ipc.proto.Ipc.LogRecord;

/**
 * Logback appender of a child JVM: ships every event to the daemon as a {@link LogRecord}. The
 * daemon re-logs it under the same logger name with the child's pid, job id and room in the MDC.
 * Thread-safe ({@link AppenderBase} serialises appends; {@link ParentLink#send} is thread-safe).
 */
public final class IpcLogAppender extends AppenderBase<ILoggingEvent> {

    private final ParentLink link;

    public IpcLogAppender(ParentLink link) {
        this.link = link;
        setName("lkw-ipc");
    }

    @Override
    protected void append(ILoggingEvent event) {
        LogRecord.Builder record = LogRecord.newBuilder()
                .setLevel(event.getLevel().toString())
                .setLogger(event.getLoggerName())
                .setMessage(event.getFormattedMessage() == null ? "" : event.getFormattedMessage())
                .setTimestampMs(event.getTimeStamp())
                .setThread(event.getThreadName() == null ? "" : event.getThreadName());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            record.setThrowable(ThrowableProxyUtil.asString(thrown));
        }
        if (event.getMDCPropertyMap() != null) {
            event.getMDCPropertyMap().forEach((k, v) -> {
                if (k != null && v != null) {
                    record.putMdc(k, v);
                }
            });
        }
        link.send(Envelope.newBuilder().setLog(record).build());
    }
}
