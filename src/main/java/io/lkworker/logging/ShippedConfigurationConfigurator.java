package io.lkworker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.nio.file.Path;

/**
 * logback's first configuration of the daemon (a {@link Configurator} found through
 * {@code META-INF/services}, which logback asks before reading any file): when
 * {@code -Dlogback.configurationFile} names the shipped file unchanged, as the launcher does, the
 * same configuration is built in code ({@link DefaultLogging}); otherwise logback goes on as it would
 * without us (the named file, logback-test.xml, logback.xml). The format and level chosen on the
 * command line are applied later by {@code io.lkworker.cli.LoggingSetup}.
 */
public final class ShippedConfigurationConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = System.getProperty("logback.configurationFile");
        if (file == null || file.isBlank() || file.contains(":") || !DefaultLogging.isShipped(Path.of(file.trim()))) {
            return ExecutionStatus.NEUTRAL;
        }
        DefaultLogging.configure(context, "TEXT", Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
