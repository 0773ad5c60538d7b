package io.lkworker.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JSON object per log record, one per line, for journald, a container runtime or any log
 * collector:
 *
 * <pre>{"timestamp":"2025-01-02T03:04:05.678Z","level":"INFO","threadName":"lk-loop","loggerName":"io.lkworker.worker.Worker","mdc":{"job_id":"AJ_1","room":"lobby"},"formattedMessage":"job AJ_1 running (pid 4242)"}</pre>
 *
 * <p>{@code timestamp} is ISO-8601 in UTC with milliseconds; {@code mdc} is always present (empty
 * when there is none) with its keys sorted; {@code throwable} (the stack trace as Java prints it) only
 * when there is one. Strings are escaped as JSON requires and no more: a URL's {@code /} stays
 * {@code /} (logback's own {@code JsonEncoder} writes {@code \/} and epoch milliseconds).
 */
public final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final byte[] NONE = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringWriter text = new StringWriter(256);
        try (JsonWriter json = new JsonWriter(text)) {
            json.setHtmlSafe(false);
            json.beginObject();
            json.name("timestamp").value(TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())));
            json.name("level").value(event.getLevel().toString());
            json.name("threadName").value(event.getThreadName());
            json.name("loggerName").value(event.getLoggerName());
            json.name("mdc").beginObject();
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> entry : new TreeMap<>(mdc).entrySet()) {
                    json.name(entry.getKey()).value(entry.getValue());
                }
            }
            json.endObject();
            json.name("formattedMessage").value(event.getFormattedMessage());
            IThrowableProxy throwable = event.getThrowableProxy();
            if (throwable != null) {
                json.name("throwable").value(ThrowableProxyUtil.asString(throwable));
            }
            json.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        text.append('\n');
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
