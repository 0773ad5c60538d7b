package io.lkworker.webrtc;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Live instances per class in this JVM, from the heap histogram HotSpot's {@code GC.class_histogram}
 * diagnostic command prints (the same as {@code jcmd <pid> GC.class_histogram}). Without {@code -all}
 * the command runs a full collection first, so only reachable objects are counted.
 */
final class LiveClasses {

    private LiveClasses() {
    }

    /** Instance counts of the classes {@code include} accepts, by class name; a full GC runs first. */
    static Map<String, Long> count(Predicate<String> include) {
        String histogram;
        try {
            histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("this JVM has no class histogram command", e);
        }
        return parse(histogram, include);
    }

    /** Rows look like {@code "  12:     3     96  io.lkworker.webrtc.Peer"} (a module may follow in parentheses). */
    static Map<String, Long> parse(String histogram, Predicate<String> include) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":")) {
                continue;
            }
            String name = f[3];
            if (include.test(name)) {
                counts.merge(name, Long.parseLong(f[1]), Long::sum);
            }
        }
        return counts;
    }
}
