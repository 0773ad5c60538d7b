package io.lkworker.tracing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class path {@code bin/lk-worker} runs a source checkout with: {@code target/classes} and the
 * runtime dependencies the build lists in {@code target/classpath.txt}. Unlike the test class path it
 * has no OpenTelemetry jar (they are in {@code target/tracing-libs}), as in an installation.
 */
final class RuntimeClassPath {

    private RuntimeClassPath() {
    }

    static String get() {
        Path classes = Path.of(System.getProperty("lkworker.test.classes", "target/classes")).toAbsolutePath();
        try {
            return classes + java.io.File.pathSeparator + Files.readString(classes.resolveSibling("classpath.txt")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("run the build's generate-resources phase first (target/classpath.txt)", e);
        }
    }
}
