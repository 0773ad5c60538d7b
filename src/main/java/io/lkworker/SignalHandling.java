package io.lkworker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT. The handler only counts and posts to the loop: the first signal drains, the
 * second stops at once. Nothing is ever thrown into other code (the Python worker's bug: livekit/agents
 * issue #6724).
 */
final class SignalHandling {

    private static final Logger log = LoggerFactory.getLogger(SignalHandling.class);

    private SignalHandling() {
    }

    /** Routes SIGTERM and SIGINT to {@code onSignal}, which receives the signal name. */
    static void install(java.util.function.Consumer<String> onSignal) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> onSignal.accept("SIG" + signal.getName()));
            } catch (IllegalArgumentException e) {
                log.warn("cannot handle SIG{} here: {}", name, e.getMessage());
            }
        }
    }
}
