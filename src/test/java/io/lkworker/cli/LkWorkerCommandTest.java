package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.ConfigKeys;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class LkWorkerCommandTest {

    private static final String SECRET = "Zq8-very-secret-value";

    @TempDir
    static Path jars;
    static Path agentJar;
    static Path twoAgentsJar;

    @TempDir
    Path home;

    @BeforeAll
    static void buildJars() {
        agentJar = TestJars.agentJar(jars.resolve("agent.jar"), "demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"));
        twoAgentsJar = TestJars.builder()
                .source("demo.First", TestJars.simpleAgent("demo.First"))
                .source("demo.Second", TestJars.simpleAgent("demo.Second"))
                .agentService("demo.First", "demo.Second")
                .build(jars.resolve("two.jar"));
    }

    @AfterAll
    static void restoreLogging() {
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
    }

    /** start with everything required given as flags, plus {@code more}. */
    private static String[] start(String... more) {
        List<String> args = new ArrayList<>(List.of("start", "--agent", agentJar.toString(),
                "--url", "wss://lk.example.com", "--api-key", "APIkey", "--api-secret", SECRET));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static Map<String, String> credentialsEnv(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("LIVEKIT_URL", "wss://lk.example.com",
                "LIVEKIT_API_KEY", "APIkey", "LIVEKIT_API_SECRET", SECRET, "LKW_AGENT", agentJar.toString()));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private Path configFile(String content) throws Exception {
        Path file = home.resolve("conf/lk-worker.properties");
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    @Test
    void startResolvesLoadsAndHandsOverToTheDaemon() throws Exception {
        CliRun.Result r = new CliRun().daemonExits(0).run(start());

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.config().mode()).isEqualTo(Mode.PROD);
        assertThat(r.config().url()).isEqualTo("wss://lk.example.com");
        assertThat(r.config().apiSecret()).isEqualTo(SECRET);
        assertThat(r.agent().className()).isEqualTo("demo.EchoAgent");
        assertThat(r.agent().jar()).isEqualTo(agentJar);
        assertThat(r.logs()).contains("starting in PROD mode").contains("agent demo.EchoAgent loaded");
    }

    @Test
    void aRunDirectoryOtherUsersCanWriteIsRefusedBeforeTheDaemonRuns() throws Exception {
        Path shared = Files.createDirectory(home.resolve("shared-run"));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        CliRun.Result r = new CliRun().env(Map.of("LKW_RUN_DIR", shared.toString())).daemonExits(0).run(start());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --run-dir: " + shared).contains("writable by other users");
        assertThat(r.config()).isNull();
    }

    @Test
    void daemonExitCodeIsTheProcessExitCode() throws Exception {
        assertThat(new CliRun().daemonExits(1).run(start()).exitCode()).isEqualTo(1);
        assertThat(new CliRun().daemonExits(0).run(start()).exitCode()).isZero();
    }

    @Test
    void daemonFailureExitsOne() throws Exception {
        CliRun.Result r = new CliRun().daemonThrows(new IllegalStateException("boom")).run(start());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: java.lang.IllegalStateException: boom");
    }

    @Test
    void precedenceFlagOverEnvironmentOverFileOverDefault() throws Exception {
        configFile("load-threshold=0.5\nmax-jobs=3\n");
        Map<String, String> env = credentialsEnv("LKW_LOAD_THRESHOLD", "0.6");

        WorkerConfig defaults = new CliRun().env(credentialsEnv()).run("start").config();
        WorkerConfig fromFile = new CliRun().env(credentialsEnv()).home(home).run("start").config();
        WorkerConfig fromEnv = new CliRun().env(env).home(home).run("start").config();
        WorkerConfig fromFlag = new CliRun().env(env).home(home).run("start", "--load-threshold", "0.8").config();

        assertThat(defaults.loadThreshold()).isEqualTo(0.7);
        assertThat(fromFile.loadThreshold()).isEqualTo(0.5);
        assertThat(fromEnv.loadThreshold()).isEqualTo(0.6);
        assertThat(fromFlag.loadThreshold()).isEqualTo(0.8);
        assertThat(fromFlag.maxJobs()).isEqualTo(3);
        assertThat(defaults.maxJobs()).isZero();
    }

    @Test
    void devAndStartHaveTheirOwnDefaults() throws Exception {
        WorkerConfig dev = new CliRun().run("dev", "--agent", agentJar.toString()).config();
        WorkerConfig start = new CliRun().env(credentialsEnv()).run("start").config();

        assertThat(dev.mode()).isEqualTo(Mode.DEV);
        assertThat(dev.loadThreshold()).isInfinite();
        assertThat(dev.numIdleProcesses()).isEqualTo(1);
        assertThat(dev.healthHost()).isEqualTo("127.0.0.1");
        assertThat(dev.healthPort()).isZero();
        assertThat(dev.logLevel()).isEqualTo("DEBUG");
        assertThat(dev.logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(start.loadThreshold()).isEqualTo(0.7);
        assertThat(start.healthHost()).isEqualTo("0.0.0.0");
        assertThat(start.healthPort()).isEqualTo(8081);
        assertThat(start.logLevel()).isEqualTo("INFO");
        assertThat(start.logFormat()).isEqualTo(LogFormat.JSON);
    }

    @Test
    void devWithoutUrlUsesTheEmbeddedServerAndDevCredentials() throws Exception {
        CliRun.Result r = new CliRun().run("dev", "--agent", agentJar.toString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.config().url()).isNull();
        assertThat(r.config().apiKey()).isEqualTo("devkey");
        assertThat(r.config().apiSecret()).isEqualTo("secret");
    }

    /**
     * Issue 20, item 2: a LIVEKIT_URL exported for production makes dev use that server; dev says so on
     * stderr, how to get the embedded server instead, and that without an agent name it takes every room.
     */
    @Test
    void devTakesUrlFromTheEnvironmentAndSaysSoLoudly() throws Exception {
        CliRun.Result r = new CliRun().env(Map.of("LIVEKIT_URL", "ws://prod.example.com:7880"))
                .run("dev", "--agent", agentJar.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.config().url()).isEqualTo("ws://prod.example.com:7880");
        assertThat(r.err().lines().toList()).containsExactly(
                "lk-worker dev: using the LiveKit server at ws://prod.example.com:7880 (from environment variable"
                        + " LIVEKIT_URL), not the embedded server",
                "lk-worker dev: to use the embedded server instead, clear it for this command: LIVEKIT_URL= lk-worker dev ...",
                "lk-worker dev: no --agent-name: that server offers this worker a job for every room it has;"
                        + " give --agent-name to get only the jobs dispatched to that name");
        assertThat(r.logs()).contains("using the LiveKit server at ws://prod.example.com:7880");
    }

    @Test
    void devWithATypedUrlAndAnAgentNameSaysOnlyWhichServer() throws Exception {
        CliRun.Result r = new CliRun().run("dev", "--agent", agentJar.toString(), "--url", "ws://other:7880",
                "--agent-name", "mine");

        assertThat(r.err()).isEqualTo("lk-worker dev: using the LiveKit server at ws://other:7880, not the embedded"
                + " server\n");
    }

    @Test
    void devRefusesAPlaygroundClientThatIsNoReadableFile() throws Exception {
        CliRun.Result r = new CliRun().run("dev", "--agent", agentJar.toString(), "--playground-client-js",
                "/nonexistent/livekit-client.umd.js");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--playground-client-js: not a readable file: /nonexistent/livekit-client.umd.js");
    }

    @Test
    void devWithAnEmptiedLivekitUrlUsesTheEmbeddedServerQuietly() throws Exception {
        CliRun.Result r = new CliRun().env(Map.of("LIVEKIT_URL", "")).run("dev", "--agent", agentJar.toString());

        assertThat(r.config().url()).isNull();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void explicitConfigFileAndEnvironmentPointingToIt() throws Exception {
        Path file = Files.writeString(home.resolve("custom.properties"),
                "url=wss://from-file.example.com\nagent-name=from-file\n");
        Map<String, String> env = credentialsEnv();
        env.remove("LIVEKIT_URL");

        WorkerConfig viaFlag = new CliRun().env(env).run("start", "--config", file.toString()).config();
        env.put("LKW_CONFIG", file.toString());
        WorkerConfig viaEnv = new CliRun().env(env).run("start").config();

        assertThat(viaFlag.url()).isEqualTo("wss://from-file.example.com");
        assertThat(viaFlag.agentName()).isEqualTo("from-file");
        assertThat(viaEnv.agentName()).isEqualTo("from-file");
    }

    @Test
    void negatableFlagsBeatEnvironmentAndFileBothWays() throws Exception {
        configFile("hidden=true\ncan-subscribe=false\n");
        Map<String, String> env = credentialsEnv("LKW_CAN_PUBLISH", "false");

        WorkerConfig layered = new CliRun().env(env).home(home).run("start").config();
        WorkerConfig flags = new CliRun().env(env).home(home)
                .run("start", "--can-publish", "--no-hidden", "--can-subscribe", "--no-can-publish-data").config();

        assertThat(layered.permissions().canPublish()).isFalse();
        assertThat(layered.permissions().hidden()).isTrue();
        assertThat(layered.permissions().canSubscribe()).isFalse();
        assertThat(layered.permissions().canPublishData()).isTrue();
        assertThat(flags.permissions().canPublish()).isTrue();
        assertThat(flags.permissions().hidden()).isFalse();
        assertThat(flags.permissions().canSubscribe()).isTrue();
        assertThat(flags.permissions().canPublishData()).isFalse();
    }

    @Test
    void permissionFlagsOnTheirOwn() throws Exception {
        WorkerConfig c = new CliRun().run(start("--no-can-publish", "--hidden", "--can-publish-sources", "camera,microphone"))
                .config();
        assertThat(c.permissions().canPublish()).isFalse();
        assertThat(c.permissions().hidden()).isTrue();
        assertThat(c.permissions().canPublishSources()).containsExactly("camera", "microphone");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--load-threshold 2|--load-threshold: must be in (0, 1] or 'inf', got 2",
        "--shutdown-timeout -5s|--shutdown-timeout: must not be negative, got -5s",
        "--drain-timeout=-1|--drain-timeout: must not be negative, got -1",
        "--worker-type agent|--worker-type: must be room, publisher or participant, got agent",
        "--url ftp://lk.example.com|--url: scheme must be ws, wss, http or https, got ftp://lk.example.com",
        "--url http://bad^host|--url: not a valid URL, got http://bad^host",
        "--health-port 70000|--health-port: must be a port number 0-65535 (0 = any free port) or -1 to disable, got 70000",
        "--log-level chatty|--log-level: must be TRACE, DEBUG, INFO, WARN or ERROR, got chatty",
        "--log-format yaml|--log-format: must be json or text, got yaml",
        "--job-executor fork|--job-executor: must be process or thread, got fork",
        "--max-jobs -1|--max-jobs: must not be negative, got -1",
        "--request-timeout 2 days|--request-timeout: not a duration (use e.g. 500ms, 2.5s, 1m, 1h or plain seconds), got '2 days'",
        "--can-publish-sources webcam|--can-publish-sources: unknown source 'webcam' (allowed: camera, microphone, screen_share, screen_share_audio), got webcam",
        "--api-key=|--api-key: required: the LiveKit API key (or set LIVEKIT_API_KEY)",
        "--config /no/such/file.properties|--config: config file not found: /no/such/file.properties",
    })
    void invalidValueGivesOneLineAndExitCodeTwo(String flags, String message) throws Exception {
        List<String> args = new ArrayList<>(List.of("start"));
        int space = flags.indexOf(' ');
        if (space < 0) {
            args.add(flags);
        } else {
            args.add(flags.substring(0, space));
            args.add(flags.substring(space + 1));
        }

        CliRun.Result r = new CliRun().env(credentialsEnv()).run(args.toArray(String[]::new));

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("error: " + message, "Try 'lk-worker start --help'");
        assertThat(r.out()).isEmpty();
        assertThat(r.config()).as("daemon must not run").isNull();
    }

    @Test
    void errorFromTheEnvironmentOrFileSaysWhere() throws Exception {
        Path file = configFile("ping-timeout=1s\n");
        CliRun.Result env = new CliRun().env(credentialsEnv("LKW_LOAD_THRESHOLD", "1.5")).run("start");
        CliRun.Result fromFile = new CliRun().env(credentialsEnv()).home(home).run("start");

        assertThat(env.exitCode()).isEqualTo(2);
        assertThat(env.err().lines().findFirst()).contains(
                "error: --load-threshold: must be in (0, 1] or 'inf', got 1.5 (from environment variable LKW_LOAD_THRESHOLD)");
        assertThat(fromFile.exitCode()).isEqualTo(2);
        assertThat(fromFile.err().lines().findFirst()).contains(
                "error: --ping-timeout: must be longer than --ping-interval (2.5s), got 1s (from config file " + file + ")");
    }

    @Test
    void unknownKeyInConfigFileIsAUsageError() throws Exception {
        Path file = configFile("max_jobs=3\n");
        CliRun.Result r = new CliRun().env(credentialsEnv()).home(home).run("dev");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "error: config file " + file + ": unknown setting 'max_jobs' (did you mean 'max-jobs'?)",
                "Try 'lk-worker dev --help'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"url", "api-key", "api-secret", "agent"})
    void startRequiresConnectionSettingsAndAgent(String missing) throws Exception {
        Map<String, String> env = credentialsEnv();
        env.remove(ConfigKeys.envVar(missing));

        CliRun.Result r = new CliRun().env(env).run("start");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).get().asString().startsWith("error: --" + missing + ": required");
        assertThat(r.err().lines()).hasSize(2);
    }

    @Test
    void badAgentJarExitsTwoBeforeTheDaemonRunsWithNothingButTheErrorLine() throws Exception {
        Path missing = jars.resolve("missing.jar");
        CliRun.Result r = new CliRun().env(credentialsEnv("LKW_AGENT", missing.toString())).run("start");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("error: agent jar not found: " + missing);
        assertThat(r.out()).isEmpty();
        assertThat(r.logs()).as("no INFO lines before the error").isEmpty();
        assertThat(r.config()).isNull();
    }

    @Test
    void everyProblemIsReportedInOneRun() throws Exception {
        Path missing = jars.resolve("missing.jar");
        CliRun.Result r = new CliRun().env(Map.of("LKW_LOAD_THRESHOLD", "2"))
                .run("start", "--agent", missing.toString(), "--max-jobs", "-1", "--log-format", "xml");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "error: --url: required: the LiveKit server URL (or set LIVEKIT_URL)",
                "error: --api-key: required: the LiveKit API key (or set LIVEKIT_API_KEY)",
                "error: --api-secret: required: the LiveKit API secret (or set LIVEKIT_API_SECRET)",
                "error: --load-threshold: must be in (0, 1] or 'inf', got 2 (from environment variable LKW_LOAD_THRESHOLD)",
                "error: --max-jobs: must not be negative, got -1",
                "error: --log-format: must be json or text, got xml",
                "error: agent jar not found: " + missing,
                "Try 'lk-worker start --help'");
        assertThat(r.out()).isEmpty();
        assertThat(r.logs()).isEmpty();
        assertThat(r.config()).isNull();
    }

    @Test
    void aBadAgentJarIsReportedBesideBadSettings() throws Exception {
        Path notAJar = Files.writeString(jars.resolve("not-a.jar"), "text");
        CliRun.Result r = new CliRun().env(credentialsEnv()).run("start", "--agent", notAJar.toString(),
                "--ping-interval", "10s", "--ping-timeout", "5s");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "error: --ping-timeout: must be longer than --ping-interval (10s), got 5s",
                "error: agent jar is not a jar (zip) file: " + notAJar,
                "Try 'lk-worker start --help'");
        assertThat(r.logs()).isEmpty();
    }

    @Test
    void agentClassChoosesAmongSeveral() throws Exception {
        CliRun.Result ambiguous = new CliRun().run("dev", "--agent", twoAgentsJar.toString());
        CliRun.Result chosen = new CliRun().run("dev", "--agent", twoAgentsJar.toString(), "--agent-class", "demo.Second");

        assertThat(ambiguous.exitCode()).isEqualTo(2);
        assertThat(ambiguous.err().lines()).containsExactly("error: " + twoAgentsJar
                + " lists several agents (demo.First, demo.Second): choose one with --agent-class");
        assertThat(chosen.exitCode()).isZero();
        assertThat(chosen.agent().className()).isEqualTo("demo.Second");
    }

    @Test
    void secretNeverPrinted() throws Exception {
        // on the command line, at DEBUG (the configuration is logged), in both formats
        CliRun.Result text = new CliRun().run(start("--log-level", "debug", "--log-format", "text"));
        CliRun.Result json = new CliRun().run(start("--log-level", "TRACE"));
        // from the environment, with a failure later in the start-up
        CliRun.Result failing = new CliRun().env(credentialsEnv("LKW_LOG_LEVEL", "loud")).run("start");
        CliRun.Result badJar = new CliRun().env(credentialsEnv("LKW_AGENT", "/nope.jar")).run("start");
        CliRun.Result help = new CliRun().env(credentialsEnv()).run("start", "--help");

        assertThat(text.logs()).contains("apiSecret=<redacted>");
        assertThat(json.logs()).contains("apiSecret=<redacted>");
        assertThat(failing.exitCode()).isEqualTo(2);
        assertThat(badJar.exitCode()).isEqualTo(2);
        assertThat(help.out()).contains("--api-secret");
        for (CliRun.Result r : List.of(text, json, failing, badJar, help)) {
            assertThat(r.all()).doesNotContain(SECRET);
        }
        assertThat(text.logs()).contains("--api-secret was given on the command line");
    }

    @Test
    void unknownOptionIsOneLinePlusHint() throws Exception {
        CliRun.Result r = new CliRun().run(start("--load-treshold", "0.5"));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly(
                "error: Unknown options: '--load-treshold', '0.5' (did you mean --load-threshold?)",
                "Try 'lk-worker start --help'");
    }

    @Test
    void missingOptionValueIsAUsageError() throws Exception {
        CliRun.Result r = new CliRun().run("start", "--url");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(2).last().isEqualTo("Try 'lk-worker start --help'");
        assertThat(r.err()).startsWith("error: Missing required parameter for option '--url'");
    }

    @Test
    void unknownCommand() throws Exception {
        CliRun.Result r = new CliRun().run("strat");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).containsExactly("error: unknown command 'strat' (did you mean start?)",
                "Try 'lk-worker --help'");
    }

    @Test
    void mistypedCommandsGetTheClosestCommandOrNoSuggestion() throws Exception {
        assertThat(new CliRun().run("stauts").err()).startsWith("error: unknown command 'stauts' (did you mean status?)");
        assertThat(new CliRun().run("dran").err()).startsWith("error: unknown command 'dran' (did you mean drain?)");
        assertThat(new CliRun().run("consloe").err()).startsWith("error: unknown command 'consloe' (did you mean console?)");
        CliRun.Result far = new CliRun().run("frobnicate");
        assertThat(far.exitCode()).isEqualTo(2);
        assertThat(far.err()).startsWith("error: unknown command 'frobnicate'\n");
    }

    @Test
    void noCommandPrintsUsage() throws Exception {
        CliRun.Result r = new CliRun().run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: lk-worker").contains("start").contains("dev").contains("drain")
                .contains("status").contains("dispatch").contains("console").contains("version");
    }

    @Test
    void versionAndHelp() throws Exception {
        CliRun.Result version = new CliRun().run("--version");
        CliRun.Result help = new CliRun().run("dev", "--help");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("lk-worker ");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: lk-worker dev").contains("--[no-]can-publish").contains("LKW_LOAD_THRESHOLD");
    }

    @Test
    void everySettingHasAnOptionAndEveryOptionIsASetting() {
        CommandLine cli = LkWorkerCommand.newCommandLine(new CliContext(Map.of(), null, (c, a) -> 0));
        for (String command : List.of("start", "dev")) {
            Set<String> options = new TreeSet<>();
            for (OptionSpec option : cli.getSubcommands().get(command).getCommandSpec().options()) {
                options.add(option.longestName().replaceFirst("^--", ""));
            }
            options.removeAll(List.of("help", "version", "config"));
            // dev's own options (embedded server, reload, first dispatch, playground) are not worker settings.
            options.removeAll(List.of("dev-server-port", "watch", "reload-jobs", "dispatch-room", "dispatch-metadata",
                    "playground-client-js"));
            assertThat(options).as(command).containsExactlyInAnyOrderElementsOf(ConfigKeys.ALL);
        }
    }

    @Test
    void startRefusesWhenALiveLkWorkerHoldsItsPidFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // A process whose command line is lk-worker's (argv[0] "lk-worker"), standing in for a running daemon.
        Process other = new ProcessBuilder("bash", "-c", "exec -a lk-worker sleep 60").start();
        try {
            Path pidFile = dir.resolve("lk.pid");
            java.nio.file.Files.writeString(pidFile, other.pid() + "\n");
            Path jar = io.lkworker.testing.TestJars.agentJar(dir.resolve("a.jar"), "demo.A",
                    io.lkworker.testing.TestJars.simpleAgent("demo.A"));
            CliRun.Result r = new CliRun().env(Map.of("LIVEKIT_API_SECRET", "s"))
                    .run("start", "--url", "ws://127.0.0.1:1", "--api-key", "k",
                    "--agent", jar.toString(), "--pid-file", pidFile.toString());
            assertThat(r.exitCode()).as(r.all()).isEqualTo(1);
            assertThat(r.err()).contains("already running").contains("pid " + other.pid());
            assertThat(r.config()).as("the daemon never started").isNull();

            // A stale pid file (the process is gone) does not stop a start.
            other.destroy();
            other.waitFor();
            CliRun.Result again = new CliRun().env(Map.of("LIVEKIT_API_SECRET", "s"))
                    .run("start", "--url", "ws://127.0.0.1:1", "--api-key", "k",
                    "--agent", jar.toString(), "--pid-file", pidFile.toString());
            assertThat(again.exitCode()).as(again.all()).isZero();
        } finally {
            other.destroyForcibly();
        }
    }

    /**
     * Issue 20, item 6: dev writes lk-worker-dev.pid, start lk-worker.pid, in the same run directory; so a
     * dev session running beside a start daemon (e.g. as its LiveKit server) needs no --pid-file, and a
     * running start daemon does not stop dev from starting.
     */
    @Test
    void devAndStartHaveTheirOwnPidFilesSoBothCanRun(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        Process startDaemon = StandInDaemon.spawn();
        try {
            new io.lkworker.RunFiles(runDir.resolve("lk-worker.pid")).writeStarted(startDaemon.pid(), "127.0.0.1", -1, 0);

            CliRun.Result dev = new CliRun().env(Map.of("LKW_RUN_DIR", runDir.toString()))
                    .run("dev", "--agent", agentJar.toString());
            CliRun.Result secondStart = new CliRun().env(credentialsEnv("LKW_RUN_DIR", runDir.toString())).run("start");

            assertThat(dev.exitCode()).as("dev runs beside a start daemon: " + dev.all()).isZero();
            assertThat(io.lkworker.Daemon.pidFile(dev.config())).isEqualTo(runDir.resolve("lk-worker-dev.pid"));
            assertThat(secondStart.exitCode()).as("a second start still refuses").isEqualTo(1);
            assertThat(secondStart.err()).contains(runDir.resolve("lk-worker.pid").toString());
        } finally {
            startDaemon.destroyForcibly();
        }
    }
}
