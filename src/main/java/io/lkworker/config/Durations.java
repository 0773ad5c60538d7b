package io.lkworker.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in flags and config files: {@code 500ms}, {@code 10s},
 * {@code 2.5s}, {@code 1m}, {@code 1h}, or a plain number of seconds ({@code 2.5}).
 */
public final class Durations {

    private static final Pattern SYNTAX = Pattern.compile("([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))\\s*(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Parses {@code text}; negative values are returned as such (callers decide whether they are allowed).
     *
     * @throws IllegalArgumentException when the text is not a duration or is too large
     */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration (use e.g. 500ms, 2.5s, 1m, 1h or plain seconds)");
        }
        long unitNanos = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new AssertionError(m.group(2));
        };
        try {
            BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos))
                    .setScale(0, RoundingMode.HALF_UP);
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("too large");
        }
    }

    /** The shortest exact spelling in this syntax: {@code 2.5s}, {@code 500ms}, {@code 1h}, {@code 90s}. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toNanos() % 1_000_000 != 0) {
            return BigDecimal.valueOf(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (Math.abs(ms) < 1000) {
            return ms + "ms";
        }
        return BigDecimal.valueOf(ms).movePointLeft(3).stripTrailingZeros().toPlainString() + "s";
    }
}
