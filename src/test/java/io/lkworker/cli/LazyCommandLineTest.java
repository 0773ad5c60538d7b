package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.testing.TestJars;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code Main} builds only the invoked command's model ({@link LkWorkerCommand#newCommandLine(CliContext,
 * String...)}): for every kind of input the result must be what the command line with all the commands
 * gives — the same exit code, the same standard output and error, the same configuration handed to the
 * daemon.
 */
class LazyCommandLineTest {

    @TempDir
    static Path jars;
    static Path agentJar;

    @TempDir
    Path runDir;

    @BeforeAll
    static void buildJar() {
        agentJar = TestJars.agentJar(jars.resolve("agent.jar"), "demo.EchoAgent", TestJars.simpleAgent("demo.EchoAgent"));
    }

    @AfterAll
    static void restoreLogging() {
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
    }

    /** What a run printed, its exit code, and the configuration the daemon got (as text, the run directory named RUN). */
    record Outcome(int exitCode, String out, String err, String config) {
    }

    static Stream<List<String>> inputs() {
        return Stream.of(
                List.of("start", "--help"),
                List.of("start", "--version"),
                List.of("start", "--bogus"),
                List.of("start", "--agnet", "x.jar"),
                List.of("start"),
                List.of("start", "--url", "ftp://x", "--load-threshold", "2", "--agent", "/no/such.jar"),
                List.of("start", "--url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--agent", "AGENT"),
                List.of("start", "--url", "ws://127.0.0.1:1", "--api-key", "k", "--api-secret", "s", "--agent", "AGENT",
                        "--num-idle-processes", "-3"),
                List.of("dev", "--help"),
                List.of("dev", "--agent", "AGENT", "--url", "ws://127.0.0.1:1"),
                List.of("drain", "--help"),
                List.of("drain", "--pid", "-1"),
                List.of("drain"), // its pid file from LKW_RUN_DIR: the settings reach the options as defaults
                List.of("status"),
                List.of("status", "--bogus"),
                List.of("dispatch", "--help"),
                List.of("talk", "--help"),
                List.of("console", "--help"),
                List.of("server", "--help"),
                List.of("version"),
                List.of("version", "--help"),
                List.of("help"),
                List.of("help", "start"),
                List.of("strat"),
                List.of("--help"),
                List.of("--version"),
                List.of());
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void buildingOnlyTheInvokedCommandChangesNothing(List<String> input) {
        String[] args = input.stream().map(a -> a.equals("AGENT") ? agentJar.toString() : a).toArray(String[]::new);

        Outcome all = run(context -> LkWorkerCommand.newCommandLine(context), args);
        Outcome lazy = run(context -> LkWorkerCommand.newCommandLine(context, args), args);

        assertThat(lazy).isEqualTo(all);
    }

    @Test
    void aCommandFirstBuildsThatCommandAloneAndAnythingElseBuildsThemAll() {
        CliContext context = new CliContext(Map.of(), null, (c, a) -> 0);
        List<String> every = List.copyOf(LkWorkerCommand.newCommandLine(context).getSubcommands().keySet());

        assertThat(LkWorkerCommand.newCommandLine(context, "start", "--help").getSubcommands())
                .containsOnlyKeys("start", "help");
        assertThat(LkWorkerCommand.newCommandLine(context, "drain").getSubcommands()).containsOnlyKeys("drain", "help");
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"help", "start"},
                new String[] {"strat"}, new String[] {"@args.txt"})) {
            assertThat(List.copyOf(LkWorkerCommand.newCommandLine(context, args).getSubcommands().keySet()))
                    .as(String.join(" ", args)).isEqualTo(every);
        }
    }

    @Test
    void everyCommandIsListedUnderItsOwnName() {
        CliContext context = new CliContext(Map.of(), null, (c, a) -> 0);
        List<String> names = new ArrayList<>();
        LkWorkerCommand.commands(context).forEach((name, factory) -> {
            Object command = factory.get();
            assertThat(command.getClass().getAnnotation(Command.class).name()).isEqualTo(name);
            names.add(name);
        });
        assertThat(names).hasSize(9).doesNotHaveDuplicates();
    }

    private Outcome run(java.util.function.Function<CliContext, CommandLine> build, String... args) {
        AtomicReference<WorkerConfig> handed = new AtomicReference<>();
        Path run;
        try {
            run = Files.createTempDirectory(runDir, "run");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CliContext context = new CliContext(Map.of("LKW_RUN_DIR", run.toString()), null, (config, agent) -> {
            handed.set(config);
            return 0;
        });
        CommandLine cli = build.apply(context);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        // each run has its own run directory: the same text once it is named alike
        WorkerConfig config = handed.get();
        return new Outcome(code, out.toString().replace(run.toString(), "RUN"), err.toString().replace(run.toString(), "RUN"),
                config == null ? null : config.toString().replace(run.toString(), "RUN"));
    }
}
