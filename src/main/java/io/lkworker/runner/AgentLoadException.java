package io.lkworker.runner;

/**
 * The agent jar cannot be used. The message is one line naming the jar or class and the problem,
 * fit to show to the user as is (the CLI exits with code 2 before connecting anywhere).
 */
public final class AgentLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public AgentLoadException(String message) {
        super(message, null, false, false);
    }

    public AgentLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
