package io.lkworker.tracing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.DirectoryStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where the OpenTelemetry jars are. They are deliberately not on the daemon's class path: each jar on
 * it costs memory even when none of its classes is used (the JVM opens every jar of the class path to
 * scan for service files: +0.6-0.9 MB of resident memory for these 14 jars, docs/tracing.md). They
 * live in a directory of their own beside lk-worker's jar, found from where lk-worker's classes come
 * from:
 * <ul>
 *   <li>an installation: {@code lib/lk-worker-VERSION.jar} → {@code lib/tracing/};
 *   <li>a source checkout: {@code target/classes} → {@code target/tracing-libs/} (the build copies them).
 * </ul>
 * When lk-worker's own class loader already has them (the test class path, an application that embeds
 * lk-worker), that is used instead.
 */
public final class TracingJars {

    /** Directory name beside lk-worker's jar in an installation. */
    static final String INSTALLED_DIR = "tracing";
    /** Directory name beside target/classes in a source checkout. */
    static final String BUILD_DIR = "tracing-libs";

    private TracingJars() {
    }

    /** Whether {@code loader} itself can load OpenTelemetry (its API): then no directory is needed. */
    static boolean onClassPath(ClassLoader loader) {
        return loader.getResource("io/opentelemetry/api/OpenTelemetry.class") != null;
    }

    /** The directory holding the jars for lk-worker's code at {@code codeSource}; null when it does not exist. */
    static Path directory(Path codeSource) {
        Path parent = codeSource.getParent();
        if (parent == null) {
            return null;
        }
        Path dir = Files.isDirectory(codeSource) ? parent.resolve(BUILD_DIR) : parent.resolve(INSTALLED_DIR);
        return Files.isDirectory(dir) ? dir : null;
    }

    /** The directory for the running lk-worker; null when there is none. */
    static Path directory() {
        try {
            return directory(Path.of(TracingJars.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | NullPointerException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Every jar of {@code dir}, sorted by name (plain loops: this runs in every daemon). */
    static List<Path> jarsIn(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path f : files) {
                jars.add(f);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the tracing jars in " + dir + ": " + e.getMessage(), e);
        }
        Collections.sort(jars);
        return jars;
    }

    /** The message when neither the class path nor the directory has them. */
    static String missing() {
        return "lk-worker's OpenTelemetry jars are missing: neither on the class path nor in lib/" + INSTALLED_DIR
                + " beside lk-worker's jar (an incomplete installation?)";
    }
}
