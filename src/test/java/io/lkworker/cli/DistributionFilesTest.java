package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.testing.TestJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/lk-worker.properties and bin/lk-worker, as shipped. */
class DistributionFilesTest {

    private static final Path CONF = Path.of("conf/lk-worker.properties");
    private static final Path LAUNCHER = Path.of("bin/lk-worker");
    /** Defaults that depend on the machine: the file shows an example value. */
    private static final Set<String> MACHINE_DEPENDENT = Set.of(ConfigKeys.NUM_IDLE_PROCESSES, ConfigKeys.RUN_DIR);
    /** No default: the file shows an example or nothing. */
    private static final Set<String> NO_DEFAULT = Set.of(ConfigKeys.URL, ConfigKeys.API_KEY, ConfigKeys.API_SECRET,
            ConfigKeys.AGENT, ConfigKeys.AGENT_CLASS, ConfigKeys.PID_FILE, ConfigKeys.CACHE_DIR);

    @TempDir
    Path tmp;

    @Test
    void configFileDocumentsEverySettingCommentedOutWithItsProductionDefault() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        Pattern commented = Pattern.compile("^#([a-z-]+)=(.*)$");
        List<String> lines = Files.readAllLines(CONF, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertThat(line).as("nothing is set in the shipped file").matches("^(#.*|\\s*)$");
            Matcher m = commented.matcher(line);
            if (m.matches()) {
                documented.put(m.group(1), m.group(2));
                assertThat(lines.get(i - 1)).as("explanation above " + m.group(1)).startsWith("# ");
            }
        }

        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(ConfigKeys.ALL);
        Map<String, String> defaults = ConfigDefaults.forMode(Mode.PROD, Map.of());
        for (String key : ConfigKeys.ALL) {
            if (!MACHINE_DEPENDENT.contains(key) && !NO_DEFAULT.contains(key)) {
                assertThat(documented.get(key)).as(key).isEqualTo(defaults.get(key));
            }
        }
    }

    @Test
    void launcherIsAnExecutablePosixScript() throws IOException {
        assertThat(Files.isExecutable(LAUNCHER)).isTrue();
        assertThat(Files.readString(LAUNCHER)).startsWith("#!/bin/sh\n").contains("readlink -f")
                .contains("-Dlkworker.home=").contains("JAVA_OPTS").contains("target/classpath.txt")
                .contains("-Dlogback.configurationFile=$APP_HOME/conf/logback.xml");
    }

    @Test
    void launcherRunsFromTheSourceCheckoutThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("lkw"), LAUNCHER.toAbsolutePath());

        Run version = run(link, Map.of(), "--version");
        Run noAgent = run(link, Map.of(), "start");
        Run badJavaOpts = run(link, Map.of("JAVA_OPTS", "-XX:+NoSuchJvmOption"), "--version");

        assertThat(version.code).as(version.output).isZero();
        assertThat(version.output).startsWith("lk-worker ");
        assertThat(noAgent.code).isEqualTo(2);
        assertThat(noAgent.output).contains("error: --agent: required");
        assertThat(badJavaOpts.code).as("JAVA_OPTS reaches the JVM").isNotZero();
        assertThat(badJavaOpts.output).contains("NoSuchJvmOption");
    }

    /**
     * Issue 20, item 2: bin/quickstart runs on the embedded server in a shell that exports a production
     * LIVEKIT_URL and credentials, unless --url asks for another server. Run against stand-ins: a
     * {@code mvn} that builds nothing and a {@code bin/lk-worker} that records its environment.
     */
    @Test
    void quickstartIgnoresAnExportedLivekitUrlUnlessGivenUrl() throws Exception {
        Path home = tmp.resolve("checkout");
        Files.createDirectories(home.resolve("bin"));
        Files.copy(Path.of("bin/quickstart"), home.resolve("bin/quickstart")).toFile().setExecutable(true);
        Path recorded = tmp.resolve("lk-worker.env");
        Files.writeString(home.resolve("bin/lk-worker"), "#!/bin/sh\n{ echo \"args: $*\"; env; } > '" + recorded
                + "'\n");
        home.resolve("bin/lk-worker").toFile().setExecutable(true);
        Path stubs = Files.createDirectories(tmp.resolve("stubs"));
        Files.writeString(stubs.resolve("mvn"), "#!/bin/sh\nexit 0\n");
        stubs.resolve("mvn").toFile().setExecutable(true);
        Map<String, String> production = Map.of("PATH", stubs + ":" + System.getenv("PATH"),
                "LIVEKIT_URL", "ws://prod.example.com:7880", "LIVEKIT_API_KEY", "APIprod", "LIVEKIT_API_SECRET", "prod-secret");

        Run embedded = run(home.resolve("bin/quickstart"), production);
        String devEnv = Files.readString(recorded);

        assertThat(embedded.code).as(embedded.output).isZero();
        assertThat(embedded.output).contains("quickstart: ignoring LIVEKIT_URL from the environment")
                .doesNotContain("prod-secret");
        assertThat(devEnv).contains("args: dev --agent examples/hello-agent/target/hello-agent.jar")
                .doesNotContain("LIVEKIT_URL=").doesNotContain("LIVEKIT_API_KEY=").doesNotContain("LIVEKIT_API_SECRET=");

        Run asked = run(home.resolve("bin/quickstart"), production, "--url", "ws://prod.example.com:7880");
        String askedEnv = Files.readString(recorded);

        assertThat(asked.code).as(asked.output).isZero();
        assertThat(askedEnv).contains("--url ws://prod.example.com:7880").contains("LIVEKIT_API_KEY=APIprod");
    }

    /**
     * Issue 20, item 7: bin/quickstart says so when Maven is about to download the dependencies, builds
     * lk-worker only when its sources changed since the last build, and passes no ANSI escape codes
     * into redirected output. Stand-ins: an {@code mvn} that records its calls, prints Maven 3.8's stray
     * ESC[0m and leaves behind what a build would; a {@code bin/lk-worker} that does nothing.
     */
    @Test
    void quickstartExplainsTheFirstDownloadRebuildsOnlyOnChangeAndPrintsNoEscapeCodes() throws Exception {
        Path home = tmp.resolve("checkout");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("src/main/java"));
        Path source = Files.writeString(home.resolve("src/main/java/A.java"), "class A {}\n");
        Files.writeString(home.resolve("pom.xml"), "<project/>\n");
        Files.copy(Path.of("bin/quickstart"), home.resolve("bin/quickstart")).toFile().setExecutable(true);
        Files.writeString(home.resolve("bin/lk-worker"), "#!/bin/sh\nexit 0\n");
        home.resolve("bin/lk-worker").toFile().setExecutable(true);
        Path userHome = Files.createDirectories(tmp.resolve("home"));
        Path calls = tmp.resolve("mvn.calls");
        Path stubs = Files.createDirectories(tmp.resolve("stubs"));
        Files.writeString(stubs.resolve("mvn"), String.join("\n", "#!/bin/sh",
                "echo \"$*\" >> '" + calls + "'",
                "printf '\\033[0m\\033[0m'",
                "case \"$*\" in",
                "  *install*) mkdir -p \"$HOME/.m2/repository/io/lkworker/lk-worker\" target && touch target/classpath.txt ;;",
                "  *package*) mkdir -p examples/hello-agent/target && touch examples/hello-agent/target/hello-agent.jar ;;",
                "esac", ""));
        stubs.resolve("mvn").toFile().setExecutable(true);
        Map<String, String> env = Map.of("PATH", stubs + ":" + System.getenv("PATH"), "HOME", userHome.toString());

        Run first = run(home.resolve("bin/quickstart"), env);
        assertThat(first.code).as(first.output).isZero();
        assertThat(first.output).contains("quickstart: first build on this machine: Maven downloads")
                .contains("building lk-worker (mvn install").doesNotContain("\u001b");
        assertThat(Files.readAllLines(calls)).hasSize(2);

        Files.createDirectories(userHome.resolve(".m2/repository/dev/onvoid/webrtc"));
        Run second = run(home.resolve("bin/quickstart"), env);
        assertThat(second.code).as(second.output).isZero();
        assertThat(second.output).doesNotContain("first build").contains("not building it again")
                .contains("is up to date");
        assertThat(Files.readAllLines(calls)).as("no mvn run when nothing changed").hasSize(2);

        // A later edit (mtime ahead of the stamp, as an editor's save would be) builds both again.
        Files.setLastModifiedTime(source, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Run third = run(home.resolve("bin/quickstart"), env);
        assertThat(third.code).as(third.output).isZero();
        assertThat(Files.readAllLines(calls)).hasSize(4);
        assertThat(Files.readAllLines(calls).get(2)).contains("install");
    }

    /**
     * An installed layout as the tarball unpacks it: {@code home/bin/lk-worker}, {@code home/lib/*.jar}
     * (the compiled classes as lk-worker.jar, the dependencies linked), {@code home/conf/} with the
     * shipped lk-worker.properties and logback.xml.
     */
    static Path installedLayout(Path home) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("conf"));
        Path launcher = Files.copy(LAUNCHER, home.resolve("bin/lk-worker"));
        launcher.toFile().setExecutable(true);
        TestJars.builder().bundle(Path.of(System.getProperty("lkworker.test.classes")))
                .build(home.resolve("lib/lk-worker.jar"));
        for (String jar : Files.readString(Path.of("target/classpath.txt")).trim().split(":")) {
            Path source = Path.of(jar);
            Files.createSymbolicLink(home.resolve("lib").resolve(source.getFileName()), source);
        }
        Files.copy(CONF, home.resolve("conf/lk-worker.properties"));
        Files.copy(Path.of("conf/logback.xml"), home.resolve("conf/logback.xml"));
        return home;
    }

    @Test
    void launcherUsesLibAndTheInstalledConfigFile() throws Exception {
        Path home = installedLayout(tmp.resolve("opt/lk-worker"));
        Path launcher = home.resolve("bin/lk-worker");
        Files.writeString(home.resolve("conf/lk-worker.properties"), "load-threshold=5\n");
        Path link = Files.createSymbolicLink(tmp.resolve("lk-worker"), launcher);

        Run r = run(link, Map.of("LKW_AGENT", "x.jar", "LIVEKIT_URL", "ws://h", "LIVEKIT_API_KEY", "k",
                "LIVEKIT_API_SECRET", "s"), "start");

        assertThat(r.code).as(r.output).isEqualTo(2);
        assertThat(r.output).contains("error: --load-threshold: must be in (0, 1] or 'inf', got 5 (from config file "
                + home.toRealPath().resolve("conf/lk-worker.properties") + ")");
    }

    private record Run(int code, String output) {
    }

    private Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList());
        pb.environment().keySet().removeIf(k -> k.startsWith("LKW_") || k.startsWith("LIVEKIT_") || k.equals("JAVA_OPTS"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
