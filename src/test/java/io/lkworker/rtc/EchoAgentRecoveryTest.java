package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.ParticipantKind;
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
import io.lkworker.testing.FreezableProxy;
import io.lkworker.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import livekit.LivekitAgent;
import livekit.LivekitRtc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The echo agent in a child JVM keeps its call through network faults: the daemon and its job reach
 * the embedded server through a TCP proxy on loopback (signalling only; media flows directly), the
 * caller (our room client) connects directly. After a fault the agent recovers — the job's log says
 * so — the caller still hears its tone echoed and gets chat answers, and the job does not end.
 */
@Tag("rtc")
@Tag("process")
class EchoAgentRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static Path jar;

    private LocalLiveKitServer server;
    private FreezableProxy proxy;
    private Daemon daemon;
    private RtcRoom caller;
    private Thread speaker;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private AtomicReference<RemoteAudioTrack> echo;
    private List<String> chat;
    private String jobId;

    @BeforeAll
    static void buildExample() throws Exception {
        jar = EchoAgentJar.build(dir.resolve("echo-agent.jar"));
    }

    @BeforeEach
    void startCall() throws Exception {
        logs.start();
        root.addAppender(logs);
        // Pings every second and a 2 s timeout (LiveKit: 5 s / 15 s), so a 3 s pause is a lost connection.
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .rooms(new RoomSettings(Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .ping(Duration.ofSeconds(1), Duration.ofSeconds(2)).build()).start();
        proxy = new FreezableProxy(new InetSocketAddress("127.0.0.1", server.port()));
        WorkerConfig config = TestConfigs.config("ws://127.0.0.1:" + proxy.port(), b -> {
            b.agentJar = jar;
            b.agentName = "";
            b.executor = WorkerConfig.ExecutorKind.PROCESS;
            b.idle = 1;
            b.runDir = dir.resolve("run-" + System.nanoTime());
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);

        AgentCaller call = AgentCaller.join(server.url(), "recovery");
        caller = call.room;
        echo = call.agentAudio;
        chat = call.data;
        CompletableFuture<RemoteParticipant> agent = call.agent;
        agent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        AudioSource microphone = new AudioSource(48000, 1);
        caller.localParticipant().publishTrack(LocalAudioTrack.create("microphone", microphone));
        speaker = RoomRoundTripTest.speak(microphone, 440);
        await().atMost(WAIT).until(() -> echo.get() != null);
        assertEchoHeard();
        jobId = server.messages().stream().map(m -> m.message())
                .filter(LivekitAgent.WorkerMessage::hasUpdateJob).map(m -> m.getUpdateJob().getJobId())
                .findFirst().orElseThrow();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (speaker != null) {
            speaker.interrupt();
        }
        if (caller != null) {
            caller.disconnect();
        }
        if (daemon != null) {
            daemon.close();
        }
        proxy.close();
        server.close();
        root.detachAppender(logs);
    }

    @Test
    void theAgentsSignallingCutIsRecoveredAndTheCallGoesOn() throws Exception {
        assertThat(proxy.cutAll()).as("connections cut (worker link and the agent's signalling)").isGreaterThanOrEqualTo(2);
        awaitAgentRecovered();
        assertCallContinues("after the cut");
    }

    /**
     * The kernel cuts the agent's (and the worker's) connections to the proxy port, as an operator's
     * {@code ss -K} does (needs root and a kernel with socket destroy; CI runs as root).
     */
    @Test
    void connectionsKilledByTheKernelAreRecovered() throws Exception {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-K", "dst", "127.0.0.1", "dport", "=", Integer.toString(proxy.port()))
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no ss here: " + e.getMessage());
            return;
        }
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).isZero();
        org.junit.jupiter.api.Assumptions.assumeTrue(out.contains("ESTAB"), "ss -K killed nothing (not root?): " + out);
        awaitAgentRecovered();
        assertCallContinues("after ss -K");
    }

    @Test
    void aLeaveAskingToResumeIsResumed() throws Exception {
        String agent = agentIdentity();
        assertThat(server.sendLeave("recovery", agent, LivekitRtc.LeaveRequest.Action.RESUME)).isTrue();
        await().atMost(WAIT).until(() -> logged("room resumed after"));
        assertThat(server.signallingState("recovery", agent)).hasValueSatisfying(s -> assertThat(s.resumes()).isEqualTo(1));
        assertCallContinues("after leave resume");
    }

    @Test
    void aLeaveAskingToReconnectRejoinsAndRepublishes() throws Exception {
        String agent = agentIdentity();
        RemoteAudioTrack before = echo.get();
        assertThat(server.sendLeave("recovery", agent, LivekitRtc.LeaveRequest.Action.RECONNECT)).isTrue();
        await().atMost(WAIT).until(() -> logged("room rejoined after"));
        await().atMost(WAIT).until(() -> echo.get() != before);
        assertCallContinues("after leave reconnect");
    }

    @Test
    void aPausedServerIsRecoveredFrom() throws Exception {
        // Paused until the agent noticed the silence (2 s ping timeout) and its resume is held: 2-3 s.
        long paused = System.nanoTime();
        server.pause();
        try {
            await().atMost(WAIT).until(() -> logged("resuming the room connection"));
        } finally {
            server.resume();
        }
        assertThat(System.nanoTime() - paused).isGreaterThan(TimeUnit.SECONDS.toNanos(2));
        awaitAgentRecovered();
        assertCallContinues("after the pause");
    }

    private String agentIdentity() {
        return caller.remoteParticipants().values().stream().filter(p -> p.kind() == ParticipantKind.AGENT)
                .findFirst().orElseThrow().identity();
    }

    private void awaitAgentRecovered() {
        await().atMost(WAIT).until(() -> logged("room resumed after") || logged("room rejoined after"));
    }

    private boolean logged(String text) {
        synchronized (logs.list) {
            return logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
        }
    }

    /** The caller hears its tone come back, gets chat answers, and the job has not ended. */
    private void assertCallContinues(String when) throws Exception {
        await().atMost(WAIT).until(() -> !((RemoteAudioTrackImpl) echo.get()).isEnded());
        assertEchoHeard();
        caller.localParticipant().publishData(when.getBytes(StandardCharsets.UTF_8), DataOptions.defaults().withTopic("chat"));
        await().atMost(WAIT).until(() -> chat.contains("chat:echo: " + when));
        assertThat(server.jobUpdates(jobId)).extracting(LivekitAgent.UpdateJobStatus::getStatus)
                .doesNotContain(LivekitAgent.JobStatus.JS_SUCCESS, LivekitAgent.JobStatus.JS_FAILED);
    }

    private void assertEchoHeard() throws InterruptedException {
        short[] audio = RoomRoundTripTest.listen(echo.get(), Duration.ofMillis(1500));
        short[] last = Arrays.copyOfRange(audio, audio.length - 8000, audio.length);
        assertThat(Pitch.rms(last)).as("echo level").isGreaterThan(1000);
        assertThat(Pitch.dominantFrequency(last, 16000)).isBetween(396.0, 484.0);
    }
}
