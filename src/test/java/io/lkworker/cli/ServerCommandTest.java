package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.testing.TestJars;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 6: {@code lk-worker server}, the embedded server on its own, in its own JVM: it takes
 * dispatches on the port it prints, reads no LiveKit variable from the environment, and stops with
 * exit code 0 on SIGTERM.
 */
class ServerCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("listening at ws://127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    Path dir;
    private Process server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void servesDispatchesOnThePrintedPortAndStopsCleanlyOnSigterm() throws Exception {
        Path log = dir.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(DrainCommandTest.javaBin(), "-cp", TestJars.currentClassPath(),
                "io.lkworker.cli.Main", "server", "--port", "0").redirectErrorStream(true).redirectOutput(log.toFile());
        // a production shell: none of it may reach the local server
        pb.environment().put("LIVEKIT_URL", "ws://prod.example.com:7880");
        pb.environment().put("LIVEKIT_API_KEY", "APIprod");
        pb.environment().put("LIVEKIT_API_SECRET", "prod-secret");
        server = pb.start();
        await().atMost(WAIT).until(() -> LISTENING.matcher(Files.readString(log)).find() || !server.isAlive());
        Matcher m = LISTENING.matcher(Files.readString(log));
        assertThat(m.find()).as(Files.readString(log)).isTrue();
        String port = m.group(1);
        assertThat(Files.readString(log)).contains("lk-worker dispatch --url http://127.0.0.1:" + port + " --room my-room");

        CliRun.Result dispatch = new CliRun().run("dispatch", "--url", "http://127.0.0.1:" + port, "--room", "r1");

        assertThat(dispatch.exitCode()).as(dispatch.all()).isZero();
        server.destroy(); // SIGTERM
        assertThat(server.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as(Files.readString(log)).isZero();
    }

    @Test
    void aBusyPortNamesTheOption() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            CliRun.Result r = new CliRun().run("server", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).startsWith("error: --port: cannot listen on port " + taken.getLocalPort())
                    .contains("give another with --port PORT");
        }
    }

    @Test
    void aPortOutOfRangeIsAUsageError() throws Exception {
        CliRun.Result r = new CliRun().run("server", "--port", "70000");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: --port: must be between 0 and 65535, got 70000\n");
    }
}
