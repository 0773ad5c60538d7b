package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.runner.AgentLoader;
import io.lkworker.testing.TestConfigs;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lk-worker talk} against the embedded server, with and without the echo agent to talk to. */
@Tag("rtc")
class TalkCommandTest {

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
        LoggingSetup.apply(WorkerConfig.LogFormat.TEXT, "INFO");
    }

    @Test
    void talkHearsTheEchoAgentAndItsChatAnswer() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        Path example = Path.of("examples", "echo-agent", "src", "main", "java", "example", "EchoAgent.java");
        Path jar = TestJars.builder().source("example.EchoAgent", Files.readString(example))
                .agentService("example.EchoAgent").build(dir.resolve("echo.jar"));
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.agentJar = jar;
            b.agentName = "";
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(Duration.ofSeconds(20));

        CliRun.Result r = new CliRun().run("talk", "--url", server.url(), "--room", "talk-test", "--seconds", "2",
                "--tone", "660", "--say", "hi there", "--record", dir.resolve("heard.wav").toString());

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("joined room 'talk-test' as talker").containsPattern("agent agent-AJ_\\w+ is in the room")
                .contains("echo: hi there").containsPattern("heard agent-AJ_\\w+: \\d+ stretch")
                .containsPattern("  at \\d+\\.\\d\\d s for \\d+\\.\\d\\d s: 6[4-7]\\d\\.\\d Hz at -\\d+\\.\\d dBFS")
                .contains("recorded what was heard to ");
        assertThat(io.lkworker.talk.WavFile.read(dir.resolve("heard.wav")).frames()).hasSizeGreaterThan(50);
    }

    /**
     * Issue 16: with the example assistant, talk shows what a LiveKit front end would: the answer of an RPC call,
     * the transcription of the agent's answer to a chat message on lk.chat, and the states it went through.
     */
    @Test
    void talkShowsTheAssistantAgentsRpcAnswerTranscriptionAndStates() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        Path example = Path.of("examples", "assistant-agent", "src", "main", "java", "example", "AssistantAgent.java");
        Path jar = TestJars.builder().source("example.AssistantAgent", Files.readString(example))
                .agentService("example.AssistantAgent").build(dir.resolve("assistant.jar"));
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.agentJar = jar;
            b.agentName = "";
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(Duration.ofSeconds(20));

        CliRun.Result r = new CliRun().run("talk", "--url", server.url(), "--room", "talk-assistant", "--seconds", "3",
                "--rpc", "get_time", "--chat", "how are you", "--say", "hi");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("rpc get_time: \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z")
                .contains("echo: hi")
                .containsPattern("transcription from agent-AJ_\\w+: how are you \\(final\\)")
                .containsPattern("agent state: .*listening -> thinking -> speaking -> listening");
    }

    /** Issue 20, item 4: an agent that joins and leaves at once is reported as such, not as "no agent joined". */
    @Test
    void anAgentThatLeavesAtOnceIsSaidToHaveLeft() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        String source = "package example;\n"
                + "public final class QuitAgent implements io.lkworker.api.Agent {\n"
                + "    @Override public void entrypoint(io.lkworker.api.JobContext ctx) { ctx.connect(); }\n"
                + "}\n";
        Path jar = TestJars.builder().source("example.QuitAgent", source).agentService("example.QuitAgent")
                .build(dir.resolve("quit.jar"));
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.agentJar = jar;
            b.agentName = "";
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(Duration.ofSeconds(20));

        CliRun.Result r = new CliRun().run("talk", "--url", server.url(), "--room", "quit-test", "--seconds", "3");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("no agent joined")
                .containsPattern("agent agent-AJ_\\w+ (joined room 'quit-test' and left again at once"
                        + "|left the room \\d+ ms after it joined)");
    }

    @Test
    void withoutAnAgentTalkSaysSoAndFails() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        CliRun.Result r = new CliRun().run("talk", "--url", server.url(), "--wait", "1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("no agent joined room 'talk' within 1 s");
    }

    @Test
    void anUnreachableServerOrABadWavIsOneLine() throws Exception {
        CliRun.Result refused = new CliRun().run("talk", "--url", "ws://127.0.0.1:1");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("cannot join room 'talk'").contains("connection refused");

        Path notWav = Files.writeString(dir.resolve("x.wav"), "not audio");
        CliRun.Result badWav = new CliRun().run("talk", "--wav", notWav.toString());
        assertThat(badWav.exitCode()).isEqualTo(2);
        assertThat(badWav.err()).contains("--wav:").contains("not a WAV file");
    }
}
