package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** console runs real agent jars through the real executor, in-process (and once in its own JVM for Ctrl-C). */
class ConsoleCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path jars;
    static Path okJar;
    static Path failingJar;
    static Path rejectingJar;
    static Path waitingJar;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildAgents() {
        okJar = TestJars.agentJar(jars.resolve("ok.jar"), "demo.OkAgent", """
                package demo;
                public class OkAgent implements io.lkworker.api.Agent {
                    @Override public void onRequest(io.lkworker.api.JobRequest req) {
                        req.accept(io.lkworker.api.AcceptOptions.defaults().withIdentity("console-bot"));
                    }
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {
                        org.slf4j.LoggerFactory.getLogger("demo").info("hello from room {} as {}, metadata '{}', url {}",
                                ctx.job().room().name(), ctx.participantIdentity(), ctx.job().metadata(), ctx.url());
                    }
                }
                """);
        failingJar = TestJars.agentJar(jars.resolve("failing.jar"), "demo.FailingAgent", """
                package demo;
                public class FailingAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {
                        throw new IllegalStateException("the model is not loaded");
                    }
                }
                """);
        rejectingJar = TestJars.agentJar(jars.resolve("rejecting.jar"), "demo.RejectingAgent", """
                package demo;
                public class RejectingAgent implements io.lkworker.api.Agent {
                    @Override public void onRequest(io.lkworker.api.JobRequest req) { req.reject(); }
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) {
                        org.slf4j.LoggerFactory.getLogger("demo").info("entrypoint ran");
                    }
                }
                """);
        waitingJar = TestJars.agentJar(jars.resolve("waiting.jar"), "demo.WaitingAgent", """
                package demo;
                public class WaitingAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("demo");
                        ctx.addShutdownCallback(reason -> log.info("shutdown callback: {}", reason));
                        log.info("waiting for shutdown");
                        log.info("awaitShutdown returned: {}", ctx.awaitShutdown());
                    }
                }
                """);
    }

    @AfterEach
    void restoreLogging() {
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
    }

    @Test
    void succeedingAgentExitsZeroAndItsLogsAreShown() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", okJar.toString(), "--room", "demo-room",
                "--metadata", "hi there", "--job-executor", "thread", "--log-level", "INFO");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).matches("job AJ_console[0-9a-f]{12} succeeded\n");
        String jobId = r.out().substring("job ".length(), r.out().indexOf(" succeeded"));
        assertThat(r.logs()).containsPattern("hello from room demo-room as console-bot, metadata 'hi there', url ws://127\\.0\\.0\\.1:\\d+\\b").doesNotContain("url ws://127.0.0.1:7880")
                .contains("job_id=" + jobId).contains("room=demo-room");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void defaultExecutorRunsTheJobToo() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", okJar.toString());

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.logs()).contains("hello from room console as console-bot");
    }

    @Test
    void failingAgentExitsOneWithTheReason() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", failingJar.toString(), "--job-executor", "thread");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).matches("error: job AJ_console[0-9a-f]{12} failed: "
                + "java.lang.IllegalStateException: the model is not loaded\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void rejectingAgentExitsOneAndTheEntrypointNeverRuns() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", rejectingJar.toString(), "--job-executor", "thread");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).matches("error: job AJ_console[0-9a-f]{12} was not run: the agent rejected the job\n");
        assertThat(r.logs()).doesNotContain("entrypoint ran");
    }

    @Test
    void badAgentJarIsAUsageError() throws Exception {
        CliRun.Result missing = new CliRun().run("console", "--agent", dir.resolve("nope.jar").toString());
        CliRun.Result none = new CliRun().run("console");

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: ").contains("nope.jar");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("error: --agent: required");
    }

    /** Ctrl-C is a real SIGINT to a console JVM: the job shuts down gracefully and its result is the exit code. */
    @Test
    void sigintShutsTheJobDownGracefully() throws Exception {
        Path log = dir.resolve("console.log");
        Process console = new ProcessBuilder(withDefaultSigint(List.of(DrainCommandTest.javaBin(), "-cp",
                TestJars.currentClassPath(), "io.lkworker.cli.Main", "console", "--agent", waitingJar.toString(),
                "--job-executor", "thread", "--log-level", "INFO")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(WAIT).until(() -> Files.readString(log).contains("waiting for shutdown")
                    || !console.isAlive());
            assertThat(console.isAlive()).as(Files.readString(log)).isTrue();

            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(console.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

            assertThat(console.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            String output = Files.readString(log);
            assertThat(console.exitValue()).as(output).isZero();
            assertThat(output).contains("received SIGINT: shutting the job down")
                    .contains("awaitShutdown returned: console interrupted")
                    .contains("shutdown callback: console interrupted")
                    .containsPattern("job AJ_console[0-9a-f]{12} succeeded");
        } finally {
            console.destroyForcibly();
        }
    }

    /**
     * An ignored signal stays ignored across fork and exec, and HotSpot installs no handler for a
     * shutdown signal that was ignored when it started. A suite run from a shell without job control
     * ({@code mvn verify &} in a script) ignores SIGINT, so the console JVM would never see the test's
     * Ctrl-C; perl (Debian's perl-base is essential) puts SIGINT back to its default before exec.
     */
    private static List<String> withDefaultSigint(List<String> command) throws java.io.IOException {
        String status = Files.readString(Path.of("/proc/self/status"));
        java.util.regex.Matcher ignored = java.util.regex.Pattern.compile("(?m)^SigIgn:\\s*([0-9a-f]+)$").matcher(status);
        boolean sigintIgnored = ignored.find() && (Long.parseUnsignedLong(ignored.group(1), 16) & (1L << 1)) != 0;
        if (!sigintIgnored) {
            return command;
        }
        List<String> wrapped = new java.util.ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\""));
        wrapped.addAll(command);
        return wrapped;
    }
}
