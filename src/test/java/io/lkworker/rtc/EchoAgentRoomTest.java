package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.RoomSettings;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.runner.AgentLoader;
import io.lkworker.talk.Pitch;
import io.lkworker.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example echo agent ({@code examples/echo-agent}, compiled from its sources) run by the real
 * daemon, in a child JVM and with the thread executor: a participant (our room client) joins a room
 * on the embedded server, which dispatches the job as LiveKit does for a new room; the agent joins,
 * hears the participant's 440 Hz tone and plays it back, and answers chat messages.
 */
@Tag("rtc")
@Tag("process")
class EchoAgentRoomTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static Path jar;

    private LocalLiveKitServer server;
    private Daemon daemon;
    private RtcRoom participant;

    @BeforeAll
    static void buildExample() throws Exception {
        jar = EchoAgentJar.build(dir.resolve("echo-agent.jar"));
    }

    @AfterEach
    void stopAll() {
        if (participant != null) {
            participant.disconnect();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = WorkerConfig.ExecutorKind.class, names = {"PROCESS", "THREAD"})
    void theEchoAgentPlaysTheParticipantsToneBackAndAnswersChat(WorkerConfig.ExecutorKind executor) throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .rooms(new RoomSettings(Duration.ofSeconds(1), Duration.ofSeconds(30))).build()).start();
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.agentJar = jar;
            b.agentName = ""; // automatic dispatch: every new room gets this agent
            b.executor = executor;
            b.idle = executor == WorkerConfig.ExecutorKind.PROCESS ? 1 : 0;
            b.runDir = dir.resolve("run-" + executor);
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);

        AgentCaller caller = AgentCaller.join(server.url(), "echo-" + executor);
        participant = caller.room;
        CompletableFuture<RemoteAudioTrack> echo = caller.firstAgentAudio;
        CompletableFuture<RemoteParticipant> agent = caller.agent;
        List<String> chat = caller.data;
        RemoteParticipant agentParticipant = agent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(agentParticipant.identity()).startsWith("agent-AJ_");

        AudioSource microphone = new AudioSource(48000, 1);
        participant.localParticipant().publishTrack(LocalAudioTrack.create("microphone", microphone));
        Thread speaker = RoomRoundTripTest.speak(microphone, 440);
        try {
            RemoteAudioTrack heard = echo.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            short[] audio = RoomRoundTripTest.listen(heard, Duration.ofMillis(2000));
            short[] last = Arrays.copyOfRange(audio, audio.length - 8000, audio.length);
            assertThat(Pitch.rms(last)).as("echo level").isGreaterThan(1000);
            assertThat(Pitch.dominantFrequency(last, 16000)).isBetween(396.0, 484.0);
        } finally {
            speaker.interrupt();
        }

        participant.localParticipant().publishData("hello agent".getBytes(StandardCharsets.UTF_8),
                DataOptions.defaults().withTopic("chat"));
        await().atMost(WAIT).until(() -> chat.contains("chat:echo: hello agent"));

        // The participant leaves; after the departure timeout the room closes and the job ends.
        participant.disconnect();
        participant = null;
        String jobId = server.messages().stream().map(m -> m.message())
                .filter(LivekitAgent.WorkerMessage::hasUpdateJob).map(m -> m.getUpdateJob().getJobId())
                .findFirst().orElseThrow();
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_SUCCESS, WAIT);
    }
}
