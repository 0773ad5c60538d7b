package io.lkworker.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where the interop tests find LiveKit's own SDKs and the browser, and the JUnit assumptions that skip
 * them (with the reason) on a machine without: {@code node_modules} from {@code npm ci} in
 * {@code src/test/js}, {@code node}, and Debian's Chromium ({@code /usr/bin/chromium}). CI installs
 * all of them ({@code .ci/run}); README "Build and test". With {@code -Dlkworker.interop.required=true}
 * (as CI runs) a missing prerequisite fails the test instead, so CI cannot pass without running them.
 */
final class InteropEnvironment {

    private InteropEnvironment() {
    }

    /** {@code src/test/js}: package.json, the lock file, node_modules, the page and the scripts. */
    static Path jsDir() {
        String configured = System.getProperty("lkworker.interop.js");
        return configured != null ? Path.of(configured) : Path.of("src", "test", "js").toAbsolutePath();
    }

    static Path nodeModules() {
        return jsDir().resolve("node_modules");
    }

    /** The Chromium binary: {@code -Dlkworker.chromium=...}, else {@code /usr/bin/chromium}. */
    static Path chromium() {
        return Path.of(System.getProperty("lkworker.chromium", "/usr/bin/chromium"));
    }

    /** The node binary: {@code -Dlkworker.node=...}, else the first {@code node} on the PATH. */
    static Path node() {
        String configured = System.getProperty("lkworker.node");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "node");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return Path.of("node");
    }

    static void assumeNpmPackage(String name) {
        Path pkg = nodeModules().resolve(name).resolve("package.json");
        require(Files.isRegularFile(pkg), () -> pkg + " is missing; run `npm ci` in " + jsDir()
                + " (README, Build and test)");
    }

    static void assumeNode() {
        require(Files.isExecutable(node()), () -> "no node on the PATH (Debian package nodejs)");
    }

    static void assumeChromium() {
        require(Files.isExecutable(chromium()), () -> chromium()
                + " is missing (Debian package chromium, or -Dlkworker.chromium=PATH)");
    }

    /** Skips the test when {@code ok} is false, or fails it when the interop tests are required. */
    private static void require(boolean ok, Supplier<String> why) {
        if (Boolean.getBoolean("lkworker.interop.required") || "1".equals(System.getenv("LKWORKER_INTEROP_REQUIRED"))) {
            assertTrue(ok, () -> why.get() + " (the interop tests are required here: -Dlkworker.interop.required=true"
                    + " or LKWORKER_INTEROP_REQUIRED=1)");
        } else {
            assumeTrue(ok, () -> "skipped: " + why.get());
        }
    }
}
