package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency directions of design §4, checked on the main sources: the agent API uses the JDK
 * only, the embedded LiveKit server nothing of the worker, and the child JVM's runner only
 * {@code api} and {@code ipc}. What counts is every import (static ones too) and every fully
 * qualified {@code io.lkworker} name in code; comments and string literals do not count. Also: nothing
 * outside {@code cli} imports {@code cli} (the command line is the top layer), and the renamed package
 * {@code io.lkworker.server} (now {@code serverlink}) is gone from main and test sources.
 */
class PackageDependenciesTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", "."));
    private static final Path MAIN = BASE.resolve(Path.of("src", "main", "java"));

    /**
     * One rule: in {@code scope} (the package and its subpackages), every reference to a name under
     * {@code checked} ("" = every import) must be under one of the {@code allowed} packages; packages
     * under one of {@code except} are outside the scope.
     */
    private record Rule(String scope, List<String> except, String checked, List<String> allowed, String why) {

        Rule(String scope, String checked, List<String> allowed, String why) {
            this(scope, List.of(), checked, allowed, why);
        }

        boolean appliesTo(String pkg) {
            return within(pkg, scope) && except.stream().noneMatch(e -> within(pkg, e));
        }

        boolean forbids(String reference) {
            return (checked.isEmpty() || within(reference, checked))
                    && allowed.stream().noneMatch(a -> within(reference, a));
        }
    }

    /** Adding an allowed package is one line in its rule's list. */
    private static final List<Rule> RULES = List.of(
            new Rule("io.lkworker.api", "", List.of(
                    "java",
                    "javax",
                    "io.lkworker.api"),
                    "agents compile against the API alone (it ships as its own jar): JDK types only"),
            new Rule("io.lkworker.localserver", "io.lkworker", List.of(
                    "io.lkworker.localserver",
                    "io.lkworker.jwt",
                    "io.lkworker.webrtc"),
                    "the embedded LiveKit server depends on nothing of the worker (shared: JWT, WebRTC)"),
            new Rule("io.lkworker.rtc", "io.lkworker", List.of(
                    "io.lkworker.api",
                    "io.lkworker.rtc",
                    "io.lkworker.webrtc"),
                    "the room client runs in job processes: the room API and the WebRTC stack only"),
            new Rule("io.lkworker.webrtc", "io.lkworker", List.of(
                    "io.lkworker.webrtc"),
                    "the WebRTC stack is shared by the room client and the embedded server, and depends on neither"),
            new Rule("io.lkworker.runner", "io.lkworker", List.of(
                    "io.lkworker.api",
                    "io.lkworker.ipc",
                    "io.lkworker.runner",
                    "io.lkworker.rtc",
                    "io.lkworker.tracing",
                    "io.lkworker.webrtc"),
                    "the child JVM's runner depends on api, ipc, the room client and tracing's own interfaces only"),
            new Rule("io.lkworker.tracing", List.of("io.lkworker.tracing.otel"), "io.lkworker", List.of(
                    "io.lkworker.tracing"),
                    "tracing's interfaces are used by the job process's runner: they depend on nothing of the worker"),
            new Rule("io.lkworker", List.of("io.lkworker.tracing.otel"), "io.opentelemetry", List.of(),
                    "OpenTelemetry is loaded only when tracing is on: only tracing.otel (created by name) names it"),
            new Rule("io.lkworker.logging", "io.lkworker", List.of(
                    "io.lkworker.logging"),
                    "logback's configuration names these classes: they depend on nothing of the worker"),
            new Rule("io.lkworker", List.of("io.lkworker.cli"), "io.lkworker.cli", List.of(),
                    "the command line is the top layer: nothing below it imports cli (an entry point that drives a"
                            + " command lives in cli, as DaemonCdsTrainer does)"),
            new Rule("io.lkworker", "io.lkworker.server", List.of(),
                    "io.lkworker.server was renamed io.lkworker.serverlink (issue 19): nothing names the old package"));

    /** Packages that must not exist any more (renamed), in main or test sources. */
    private static final List<String> REMOVED_PACKAGES = List.of("io.lkworker.server");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT =
            Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?\\s*;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])io\\.lkworker(?:\\.\\w+)+");

    @Test
    void packagesDependOnlyOnWhatTheirRulesAllow() throws IOException {
        assertThat(MAIN).as("main source root").isDirectory();
        Map<Rule, List<String>> violations = new LinkedHashMap<>();
        Map<Rule, Integer> filesChecked = new LinkedHashMap<>();
        RULES.forEach(r -> {
            violations.put(r, new ArrayList<>());
            filesChecked.put(r, 0);
        });
        for (Path file : javaFiles()) {
            String code = codeOnly(Files.readString(file));
            Matcher pkg = PACKAGE.matcher(code);
            if (!pkg.find()) {
                continue; // the default package: not ours
            }
            for (Rule rule : RULES) {
                if (!rule.appliesTo(pkg.group(1))) {
                    continue;
                }
                filesChecked.merge(rule, 1, Integer::sum);
                for (Reference ref : references(code)) {
                    if (rule.forbids(ref.name())) {
                        violations.get(rule).add(BASE.relativize(file) + ":" + ref.line() + ": " + ref.name());
                    }
                }
            }
        }
        filesChecked.forEach((rule, n) -> assertThat(n)
                .as("source files in %s (none: the rule is stale or %s is the wrong root)", rule.scope(), MAIN)
                .isPositive());
        StringBuilder report = new StringBuilder();
        violations.forEach((rule, found) -> {
            if (!found.isEmpty()) {
                report.append("\n").append(rule.scope()).append(": ").append(rule.why()).append(".\n  Allowed ")
                        .append(rule.checked().isEmpty() ? "imports" : "from " + rule.checked()).append(": ")
                        .append(rule.allowed().isEmpty() ? "none" : String.join(", ", rule.allowed())).append(". Offending:\n");
                found.forEach(v -> report.append("    ").append(v).append("\n"));
            }
        });
        if (!report.isEmpty()) {
            fail("package dependency rules broken (design §4):" + report);
        }
    }

    @Test
    void removedPackagesAreGoneFromMainAndTestSources() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path root : List.of(MAIN, BASE.resolve(Path.of("src", "test", "java")))) {
            for (String removed : REMOVED_PACKAGES) {
                Path dir = root.resolve(removed.replace('.', '/'));
                if (Files.exists(dir)) {
                    found.add(BASE.relativize(dir) + ": directory of removed package " + removed);
                }
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String code = codeOnly(Files.readString(file));
                    Matcher pkg = PACKAGE.matcher(code);
                    List<Reference> refs = new ArrayList<>(references(code));
                    if (pkg.find()) {
                        refs.add(new Reference(pkg.group(1), lineOf(code, pkg.start(1))));
                    }
                    for (Reference ref : refs) {
                        for (String removed : REMOVED_PACKAGES) {
                            if (within(ref.name(), removed)) {
                                found.add(BASE.relativize(file) + ":" + ref.line() + ": " + ref.name());
                            }
                        }
                    }
                }
            }
        }
        assertThat(found).as("references to removed packages %s", REMOVED_PACKAGES).isEmpty();
    }

    @Test
    void referencesIgnoreCommentsAndStringsAndSeeQualifiedNames() {
        String code = codeOnly("""
                package io.lkworker.api;
                import java.util.List;
                import static io.lkworker.config.ConfigKeys.*;
                // import io.lkworker.serverlink.InComment;
                /** {@link io.lkworker.worker.InJavadoc} */
                class X {
                    String s = "io.lkworker.pool.InString";
                    io.lkworker.loop.Clock clock = io.lkworker.loop.Clock.system();
                }
                """);
        assertThat(references(code)).containsExactly(
                new Reference("java.util.List", 2),
                new Reference("io.lkworker.config.ConfigKeys", 3),
                new Reference("io.lkworker.loop.Clock", 8),
                new Reference("io.lkworker.loop.Clock.system", 8));
        Rule api = RULES.get(0);
        assertThat(api.forbids("java.util.List")).isFalse();
        assertThat(api.forbids("io.lkworker.api.Agent")).isFalse();
        assertThat(api.forbids("io.lkworker.apix.Agent")).isTrue();
        assertThat(api.forbids("org.slf4j.Logger")).isTrue();
        Rule cli = RULES.stream().filter(r -> r.checked().equals("io.lkworker.cli")).findFirst().orElseThrow();
        assertThat(cli.appliesTo("io.lkworker.dev")).isTrue();
        assertThat(cli.appliesTo("io.lkworker")).isTrue();
        assertThat(cli.appliesTo("io.lkworker.cli")).isFalse();
        assertThat(cli.forbids("io.lkworker.cli.LkWorkerCommand")).isTrue();
        assertThat(cli.forbids("io.lkworker.config.WorkerConfig")).isFalse();
        Rule old = RULES.stream().filter(r -> r.checked().equals("io.lkworker.server")).findFirst().orElseThrow();
        assertThat(old.forbids("io.lkworker.server.ServerLink")).isTrue();
        assertThat(old.forbids("io.lkworker.serverlink.ServerLink")).isFalse();
    }

    private record Reference(String name, int line) {
    }

    /** Imported names and fully qualified io.lkworker names outside import and package lines. */
    private static List<Reference> references(String code) {
        List<Reference> refs = new ArrayList<>();
        Matcher imports = IMPORT.matcher(code);
        while (imports.find()) {
            refs.add(new Reference(imports.group(1), lineOf(code, imports.start(1))));
        }
        String body = blank(blank(code, IMPORT), PACKAGE);
        Matcher qualified = QUALIFIED.matcher(body);
        while (qualified.find()) {
            refs.add(new Reference(qualified.group(), lineOf(body, qualified.start())));
        }
        return refs;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static boolean within(String name, String pkg) {
        return name.equals(pkg) || name.startsWith(pkg + ".");
    }

    private static int lineOf(String text, int index) {
        return (int) text.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
    }

    /** {@code text} with every match of {@code pattern} replaced by spaces (line numbers stay). */
    private static String blank(String text, Pattern pattern) {
        return pattern.matcher(text).replaceAll(m -> m.group().replaceAll("[^\\n]", " "));
    }

    /** The source with comments, string, text block and char literals blanked out (newlines kept). */
    private static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            int end;
            if (src.startsWith("//", i)) {
                end = src.indexOf('\n', i);
                end = end < 0 ? src.length() : end;
            } else if (src.startsWith("/*", i)) {
                end = src.indexOf("*/", i + 2);
                end = end < 0 ? src.length() : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                end = src.indexOf("\"\"\"", i + 3);
                end = end < 0 ? src.length() : end + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                char quote = src.charAt(i);
                end = i + 1;
                while (end < src.length() && src.charAt(end) != quote && src.charAt(end) != '\n') {
                    end += src.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, src.length());
            } else {
                out.append(src.charAt(i++));
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(src.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }
}
