package io.lkworker.config;

/**
 * A setting is missing or invalid. The message is one line that names the option and the problem,
 * ready to show to the user as is (the CLI exits with code 2).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
