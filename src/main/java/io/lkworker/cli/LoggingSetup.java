package io.lkworker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.logging.BoundedAsyncAppender;
import io.lkworker.logging.DefaultLogging;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.SubstituteLoggerFactory;

/**
 * Applies the resolved log format and level ({@code --log-format}/{@code --log-level},
 * {@code LKW_LOG_FORMAT}/{@code LKW_LOG_LEVEL}, the config file) to the logging configuration in
 * force, which is {@code conf/logback.xml} of the installation: the launcher names it with
 * {@code -Dlogback.configurationFile} (the .deb's is {@code /etc/lk-worker/logback.xml}). Without
 * that property — tests, an embedding — the same file, built into the jar as {@code /logback.xml},
 * is used.
 *
 * <p>The file picks its appender by the context property {@value #FORMAT_PROPERTY} (TEXT or JSON)
 * and the root level by {@value #LEVEL_PROPERTY}; this re-runs it with both set, so the appenders
 * are defined in one place only. A logback.xml of your own receives the same two properties. A file
 * that does not load is reported on standard error in one line and the built-in one is used, so
 * the daemon is never mute.
 */
public final class LoggingSetup {

    public static final String FORMAT_PROPERTY = DefaultLogging.FORMAT_PROPERTY;
    public static final String LEVEL_PROPERTY = DefaultLogging.LEVEL_PROPERTY;
    /** logback's own system property for its configuration file (a path or a URL). */
    public static final String CONFIG_FILE_PROPERTY = "logback.configurationFile";
    /** The built-in copy of conf/logback.xml. */
    static final String BUILT_IN = "/logback.xml";
    /** How long {@link #flush} waits for queued records to be written. */
    private static final long FLUSH_MILLIS = 5_000;
    /**
     * Bound on waiting for SLF4J's initialization in another thread: logback's first configuration
     * takes milliseconds, seconds only on a machine that is badly overloaded.
     */
    private static final long INITIALIZATION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private LoggingSetup() {
    }

    /**
     * @param level TRACE, DEBUG, INFO, WARN or ERROR
     */
    public static void apply(LogFormat format, String level) {
        Optional<LoggerContext> found = context();
        if (found.isEmpty()) {
            return; // some other SLF4J provider is in charge
        }
        LoggerContext context = found.get();
        String configured = System.getProperty(CONFIG_FILE_PROPERTY);
        URL builtIn = LoggingSetup.class.getResource(BUILT_IN);
        URL file = builtIn;
        if (configured != null && !configured.isBlank()) {
            Optional<URL> url = url(configured.trim());
            if (url.isEmpty()) {
                System.err.println("lk-worker: logging configuration " + configured
                        + " not found; using the built-in one (fix -D" + CONFIG_FILE_PROPERTY + ")");
            } else {
                file = url.get();
            }
        }
        String problem = configure(context, file, format, level);
        if (problem != null && !file.equals(builtIn)) {
            System.err.println("lk-worker: logging configuration " + configured + ": " + problem
                    + "; using the built-in one");
            problem = configure(context, builtIn, format, level);
        }
        if (problem != null) {
            // our own resource: a packaging bug, but never leave the daemon mute
            System.err.println("lk-worker: cannot apply the built-in logging configuration: " + problem);
        }
    }

    /**
     * Configures {@code context} from {@code file}; the first error, or null. The shipped file (the
     * built-in one, or a copy of it unchanged) is built in code, the same as the XML (DefaultLogging).
     */
    private static String configure(LoggerContext context, URL file, LogFormat format, String level) {
        context.reset();
        context.getStatusManager().clear();
        Level rootLevel = Level.toLevel(level, Level.INFO);
        if (file.equals(LoggingSetup.class.getResource(BUILT_IN)) || DefaultLogging.isShipped(pathOf(file))) {
            DefaultLogging.configure(context, format.name(), rootLevel);
            return null;
        }
        context.putProperty(FORMAT_PROPERTY, format.name());
        context.putProperty(LEVEL_PROPERTY, rootLevel.toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(file);
        } catch (JoranException e) {
            return firstError(context).orElse(e.getMessage());
        }
        return firstError(context).orElse(null);
    }

    private static Optional<String> firstError(LoggerContext context) {
        return context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.ERROR)
                .map(s -> s.getMessage() + (s.getThrowable() != null ? " (" + s.getThrowable() + ")" : ""))
                .findFirst();
    }

    /** The file a {@code file:} URL names; a path that exists nowhere for other URLs. */
    private static Path pathOf(URL url) {
        try {
            return "file".equals(url.getProtocol()) ? Path.of(url.toURI()) : Path.of("/nonexistent");
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return Path.of("/nonexistent");
        }
    }

    /** A path (as the launcher passes it) or a URL, if it names something that exists. */
    private static Optional<URL> url(String location) {
        try {
            if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*") && !location.startsWith("/")) {
                return Optional.of(new URL(location));
            }
            Path path = Path.of(location);
            return Files.isRegularFile(path) ? Optional.of(path.toUri().toURL()) : Optional.empty();
        } catch (MalformedURLException | InvalidPathException e) {
            return Optional.empty();
        }
    }

    /**
     * Waits (at most 5 s) until every record logged so far has been written to standard output: the
     * console appenders sit behind a {@link BoundedAsyncAppender}.
     */
    public static void flush() {
        context().ifPresent(context -> {
            Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> appenders =
                    context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
            while (appenders.hasNext()) {
                if (appenders.next() instanceof BoundedAsyncAppender async) {
                    try {
                        async.flush(FLUSH_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        });
    }

    /** At exit: writes what is queued and stops logging. */
    public static void stop() {
        context().ifPresent(LoggerContext::stop);
    }

    private static Optional<LoggerContext> context() {
        return awaitContext(LoggerFactory::getILoggerFactory, INITIALIZATION_WAIT_NANOS);
    }

    /**
     * The logback context, once SLF4J has one. While another thread initializes SLF4J (the start-up
     * warm-up, {@code serverlink.ProtocolWarmup}, may be first), SLF4J does not make other callers
     * wait: it hands them a {@link SubstituteLoggerFactory} (org.slf4j {@code LoggerFactory.getProvider},
     * ONGOING_INITIALIZATION), and taking that for "another provider" left the daemon logging text
     * where JSON was asked for. No notification exists for the end of that initialization, so this
     * looks again every millisecond, within {@code boundNanos}.
     */
    static Optional<LoggerContext> awaitContext(Supplier<ILoggerFactory> factories, long boundNanos) {
        long deadline = System.nanoTime() + boundNanos;
        ILoggerFactory factory = factories.get();
        while (factory instanceof SubstituteLoggerFactory && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
            factory = factories.get();
        }
        return factory instanceof LoggerContext context ? Optional.of(context) : Optional.empty();
    }
}
