package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.config.WorkerConfig;
import io.lkworker.dev.DevOptions;
import io.lkworker.dev.DevRunner;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.runner.AgentLoader;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.TestConfigs;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import livekit.LivekitModels.ParticipantInfo;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a developer does with the quick start, with LiveKit's own client as the participant:
 * {@code lk-worker dev} (embedded server, process executor) runs the example echo agent; LiveKit's
 * JavaScript client in headless Chromium joins a new room, which dispatches the agent to it as
 * LiveKit does; the browser's fake microphone plays a 440 Hz tone and the page hears the agent play
 * it back, and gets its chat message echoed.
 */
@Tag("interop")
@Tag("process")
class BrowserEchoAgentTest {

    private static final Path EXAMPLE = Path.of("examples", "echo-agent", "src", "main");
    private static final String ROOM = "browser-echo";

    @TempDir
    Path dir;
    private DevRunner dev;

    @AfterEach
    void stop() {
        if (dev != null) {
            dev.close();
        }
    }

    @Test
    void livekitClientInChromiumHearsTheEchoAgentRunByLkWorkerDev() throws Exception {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        Path jar = TestJars.builder()
                .source("example.EchoAgent", Files.readString(EXAMPLE.resolve("java/example/EchoAgent.java")))
                .agentService("example.EchoAgent")
                .build(dir.resolve("echo-agent.jar"));
        WorkerConfig config = TestConfigs.config(null, b -> {
            b.agentJar = jar;
            b.agentName = "";
            b.executor = WorkerConfig.ExecutorKind.PROCESS;
            b.idle = 1;
            b.runDir = dir.resolve("run");
            b.mode = WorkerConfig.Mode.DEV;
            return b;
        });
        dev = DevRunner.start(config, AgentLoader.load(jar, null),
                new DevOptions(0, List.of(), true, null, "", Duration.ofMillis(200)));
        LocalLiveKitServer server = dev.embeddedServer();
        server.awaitWorker(Duration.ofSeconds(20));

        Path wav = ToneWav.write(dir.resolve("tone-440.wav"), BrowserInteropTest.TONE_HZ, 48000, 5, 0.5);
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                "browser", "Browser", System.currentTimeMillis(), Duration.ofMinutes(10));
        try (BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(
                server.url(), token, "@agent", wav, Duration.ofSeconds(30)))) {
            BrowserReport report = browser.awaitReport(Duration.ofSeconds(90));

            assertThat(report.error()).as("the page's first failure").isNull();
            assertThat(report.remoteParticipants()).anySatisfy(p -> assertThat(p.identity()).startsWith("agent-AJ_"));
            assertThat(server.participants(ROOM).orElseThrow()).anySatisfy(p ->
                    assertThat(p.getKind()).isEqualTo(ParticipantInfo.Kind.AGENT));
            assertThat(report.peerTrack().name()).isEqualTo("echo");
            assertThat(report.heard().rmsDbfs()).as("level of the echo in the browser (dBFS)").isGreaterThan(-40);
            assertThat(report.heard().frequency()).as("dominant frequency of the echo in the browser")
                    .isCloseTo(BrowserInteropTest.TONE_HZ, Percentage.withPercentage(10));
            assertThat(report.dataReceived()).anySatisfy(d -> {
                assertThat(d.from()).startsWith("agent-AJ_");
                assertThat(d.text()).isEqualTo("echo: hello from browser");
            });
        }
    }
}
