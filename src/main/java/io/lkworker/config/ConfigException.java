package io.lkworker.config;

import java.util.List;

/**
 * Settings are missing or invalid. Each problem is one line that names the option and what is wrong,
 * ready to show to the user as is (the CLI prints every one and exits with code 2); the message is
 * the problems joined by newlines.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** @param problems at least one, each one line */
    public ConfigException(List<String> problems) {
        super(String.join("\n", problems), null, false, false);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order of the options. */
    public List<String> problems() {
        return problems;
    }
}
