package io.lkworker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.hook.DefaultShutdownHook;
import ch.qos.logback.core.status.NopStatusListener;
import ch.qos.logback.core.util.ContextUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The shipped logging configuration ({@code conf/logback.xml}, built into the jar as
 * {@code /logback.xml}) built in code. Interpreting the XML costs the daemon's start ~500 classes
 * (Joran, the JDK's XML parser) and 0.15-0.2 s before it can register (benchmarks/results.md,
 * "Registration"); while the file in force is byte-for-byte the shipped one, this builds the same
 * appenders, levels and hook directly. A file anyone edited is interpreted as XML as before.
 * {@code DefaultLoggingTest} keeps the two equal: same structure, same bytes out.
 */
public final class DefaultLogging {

    /** The context properties the XML reads: the console appender's format (TEXT or JSON) and the root level. */
    public static final String FORMAT_PROPERTY = "lkworker.log.format";
    public static final String LEVEL_PROPERTY = "lkworker.log.level";

    /** What the XML names its appenders; the async one picks {@code <format>_OUT}. */
    static final String ASYNC = "ASYNC";
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %level %logger{20}%replace( [%mdc]){' \\[\\]', ''} %msg%n";
    /** The loggers the XML quiets (chatty at DEBUG). */
    static final String[] QUIET_LOGGERS = {"oshi", "org.java_websocket", "io.prometheus"};

    private static volatile byte[] builtIn;

    private DefaultLogging() {
    }

    /**
     * Configures {@code context} as the shipped file would with {@code lkworker.log.format} =
     * {@code format} (JSON or TEXT) and {@code lkworker.log.level} = {@code level}, and sets those two
     * properties as the XML's reader would see them. The context is expected to be freshly reset.
     */
    public static void configure(LoggerContext context, String format, Level level) {
        context.putProperty(FORMAT_PROPERTY, format);
        context.putProperty(LEVEL_PROPERTY, level.toString());
        NopStatusListener nop = new NopStatusListener();
        context.getStatusManager().add(nop);
        DefaultShutdownHook hook = new DefaultShutdownHook();
        hook.setContext(context);
        new ContextUtil(context).addOrReplaceShutdownHook(hook);

        boolean json = "JSON".equals(format.toUpperCase(Locale.ROOT));
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName(json ? "JSON_OUT" : "TEXT_OUT");
        console.setEncoder(json ? jsonEncoder(context) : textEncoder(context));
        console.start();

        BoundedAsyncAppender async = new BoundedAsyncAppender();
        async.setContext(context);
        async.setName(ASYNC);
        async.setQueueSize(BoundedAsyncAppender.DEFAULT_QUEUE_SIZE);
        async.setMaxFlushTime(BoundedAsyncAppender.DEFAULT_MAX_FLUSH_MILLIS);
        async.addAppender(console);
        async.start();

        for (String name : QUIET_LOGGERS) {
            context.getLogger(name).setLevel(Level.INFO);
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(async);
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(TEXT_PATTERN);
        encoder.start();
        return encoder;
    }

    /** Whether {@code file} holds exactly the shipped configuration (false when unreadable). */
    public static boolean isShipped(Path file) {
        try {
            return Files.size(file) == shipped().length && Arrays.equals(Files.readAllBytes(file), shipped());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The jar's {@code /logback.xml}. */
    static byte[] shipped() throws IOException {
        byte[] b = builtIn;
        if (b == null) {
            try (InputStream in = DefaultLogging.class.getResourceAsStream("/logback.xml")) {
                if (in == null) {
                    throw new IOException("no /logback.xml in the class path");
                }
                b = in.readAllBytes();
            }
            builtIn = b;
        }
        return b;
    }
}
