package io.lkworker.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: every line must be a
 * {@code # HELP}/{@code # TYPE} comment or a sample {@code name{labels} value}. Returns the samples
 * keyed by {@code name{labels}} exactly as written.
 */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String VALUE = "(?:[+-]?Inf|NaN|[+-]?[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + "(?:\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?\\})?) (" + VALUE + ")(?: -?[0-9]+)?");
    private static final Pattern HELP = Pattern.compile("# HELP " + NAME + " .*");
    private static final Pattern TYPE = Pattern.compile(
            "# TYPE " + NAME + " (counter|gauge|histogram|summary|untyped)");

    private PrometheusText() {
    }

    static Map<String, Double> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("exposition must end with a newline");
        }
        Map<String, Double> samples = new LinkedHashMap<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue; // only the one after the final newline, in practice
            }
            if (line.startsWith("#")) {
                if (!HELP.matcher(line).matches() && !TYPE.matcher(line).matches()) {
                    throw new IllegalArgumentException("line " + n + ": bad comment: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + n + ": not a sample: " + line);
            }
            if (samples.put(m.group(1), parseValue(m.group(2))) != null) {
                throw new IllegalArgumentException("line " + n + ": duplicate series " + m.group(1));
            }
        }
        return samples;
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
