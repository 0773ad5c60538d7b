package io.lkworker.config;

/**
 * A setting's value as the user wrote it, and where it came from (for error messages).
 *
 * @param value the text, never null
 * @param source {@link #COMMAND_LINE}, {@link #DEFAULT}, {@code "environment variable X"} or
 *     {@code "config file /path"}
 */
public record RawValue(String value, String source) {
    public static final String COMMAND_LINE = "command line";
    public static final String DEFAULT = "default";

    public static RawValue commandLine(String value) {
        return new RawValue(value, COMMAND_LINE);
    }

    /** " (from environment variable X)" for values the user did not type on this command line, else "". */
    String suffix() {
        return COMMAND_LINE.equals(source) || DEFAULT.equals(source) ? "" : " (from " + source + ")";
    }
}
