package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example agent of the quick start ({@code examples/hello-agent}), compiled from its sources as
 * its own Maven build would, run through {@code lk-worker console}: its behaviour is what the README
 * promises.
 */
class ExampleAgentTest {

    private static final Path EXAMPLE = Path.of("examples", "hello-agent", "src", "main");

    @TempDir
    static Path dir;
    static Path jar;

    @BeforeAll
    static void buildExample() throws Exception {
        String service = Files.readString(EXAMPLE.resolve("resources/META-INF/services/io.lkworker.api.Agent")).trim();
        jar = TestJars.builder()
                .source("example.HelloAgent", Files.readString(EXAMPLE.resolve("java/example/HelloAgent.java")))
                .agentService(service)
                .build(dir.resolve("hello-agent.jar"));
    }

    @AfterEach
    void restoreLogging() {
        LoggingSetup.apply(io.lkworker.config.WorkerConfig.LogFormat.TEXT, "INFO");
    }

    @Test
    void exampleAgentGreetsTheRoomAndSucceeds() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", jar.toString(), "--room", "demo",
                "--metadata", "stay=0", "--log-level", "INFO");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.logs()).contains("hello, room demo!").contains("goodbye (entrypoint returned)");
    }

    @Test
    void exampleAgentFailsWhenTheMetadataSaysSo() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", jar.toString(), "--metadata", "fail",
                "--job-executor", "thread");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("asked to fail by the dispatch metadata");
    }

    @Test
    void exampleAgentRejectsWhenTheMetadataSaysSo() throws Exception {
        CliRun.Result r = new CliRun().run("console", "--agent", jar.toString(), "--metadata", "reject",
                "--job-executor", "thread");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("rejected");
    }
}
