package io.lkworker.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Routes SIGINT (Ctrl-C) to the console run while it lasts, then restores the previous handler.
 * The handler only calls {@link ConsoleRunner#interrupt}, which posts work and returns.
 */
public final class ConsoleSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleSignals.class);
    private static final Signal INT = new Signal("INT");

    private final SignalHandler previous;

    private ConsoleSignals(SignalHandler previous) {
        this.previous = previous;
    }

    /** Sends SIGINT to {@code runner} until closed. */
    public static ConsoleSignals install(ConsoleRunner runner) {
        try {
            return new ConsoleSignals(Signal.handle(INT, s -> runner.interrupt("received SIGINT")));
        } catch (IllegalArgumentException e) {
            // e.g. the JVM runs with -Xrs: Ctrl-C then simply ends the process
            log.debug("cannot handle SIGINT here: {}", e.getMessage());
            return new ConsoleSignals(null);
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }
}
