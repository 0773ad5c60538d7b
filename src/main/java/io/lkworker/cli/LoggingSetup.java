package io.lkworker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.lkworker.config.WorkerConfig.LogFormat;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the resolved log format and level. logback.xml defines both appenders and picks one by
 * the context property {@value #FORMAT_PROPERTY} (TEXT or JSON) and the root level by
 * {@value #LEVEL_PROPERTY}; this re-runs that file with the properties set, so the appenders are
 * defined in one place only. Until then (while the command line is being checked) logging runs
 * with the file's defaults, text at INFO.
 *
 * <p>A user's own {@code -Dlogback.configurationFile} wins: then only the root level is set.
 */
public final class LoggingSetup {

    public static final String FORMAT_PROPERTY = "lkworker.log.format";
    public static final String LEVEL_PROPERTY = "lkworker.log.level";

    private LoggingSetup() {
    }

    /**
     * @param level TRACE, DEBUG, INFO, WARN or ERROR
     */
    public static void apply(LogFormat format, String level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // some other SLF4J provider is in charge
        }
        if (System.getProperty("logback.configurationFile") != null) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
            return;
        }
        URL xml = LoggingSetup.class.getResource("/logback.xml");
        context.reset();
        context.putProperty(FORMAT_PROPERTY, format.name());
        context.putProperty(LEVEL_PROPERTY, Level.toLevel(level, Level.INFO).toString());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(xml);
        } catch (JoranException e) {
            // logback.xml is our own resource: this is a packaging bug, but never leave the daemon mute
            System.err.println("lk-worker: cannot apply logback.xml: " + e);
        }
    }
}
