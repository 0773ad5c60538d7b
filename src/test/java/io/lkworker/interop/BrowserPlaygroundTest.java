package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.api.rtc.AgentTranscriptions;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.config.WorkerConfig;
import io.lkworker.dev.DevOptions;
import io.lkworker.dev.DevRunner;
import io.lkworker.dev.playground.Playground;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.runner.AgentLoader;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.TestConfigs;
import io.lkworker.testing.TestJars;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.ParticipantInfo;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The playground page of {@code lk-worker dev}, as a developer uses it, in Debian's headless Chromium:
 * the daemon (embedded server, process executor, the example echo agent) serves the page with the
 * livekit-client copy of {@code src/test/js/node_modules} ({@code --playground-client-js}); the page
 * joins a room through its own controls (test hook {@code ?autojoin=1}), which dispatches the agent;
 * the fake microphone's 440 Hz tone comes back from the agent and the page measures it; a chat message
 * is answered with {@code echo: ...}; the job's timeline (offered → running) and its log lines arrive
 * from the daemon's event stream and are shown; a second agent participant (our room client) sends a
 * transcription on {@code lk.transcription} and a text on {@code lk.chat}, which the page shows;
 * deleting the room ends the job and the page shows it.
 *
 * <p>With {@code -Dlkworker.playground.screenshot=docs/images/playground.png} it also saves a screenshot
 * (1280×900) of the page after joining, for the README.
 */
@Tag("interop")
@Tag("process")
class BrowserPlaygroundTest {

    private static final Logger log = LoggerFactory.getLogger(BrowserPlaygroundTest.class);
    private static final Path EXAMPLE = Path.of("examples", "echo-agent", "src", "main");
    private static final String ROOM = "playground-test";

    @TempDir
    Path dir;
    private DevRunner dev;

    private final java.util.concurrent.ScheduledExecutorService watchdog =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "playground-test-watchdog");
                t.setDaemon(true);
                return t;
            });

    @org.junit.jupiter.api.BeforeEach
    void arm() {
        watchdog.schedule(() -> {
            StringBuilder dump = new StringBuilder("still running after 4 minutes; threads:\n");
            Thread.getAllStackTraces().forEach((t, stack) -> {
                dump.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
                for (StackTraceElement e : stack) {
                    dump.append("    at ").append(e).append('\n');
                }
            });
            log.error("{}", dump);
        }, 4, TimeUnit.MINUTES);
    }

    @AfterEach
    void stop() {
        watchdog.shutdownNow();
        if (dev != null) {
            dev.close();
        }
    }

    /**
     * Far above a run's 20–40 s, even on a loaded 2-core machine: a hang fails the test (the body runs
     * on a thread of its own, so even a wait that ignores interrupts cannot hold the build), and the
     * watchdog logs every thread's stack first (one run in about ten hung once, undiagnosed).
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void thePlaygroundTalksToTheEchoAgentAndShowsItsJob() throws Exception {
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
        Path clientJs = InteropEnvironment.nodeModules().resolve("livekit-client/dist/livekit-client.umd.js");
        dev = DevRunner.start(config, AgentLoader.load(jar, null),
                new DevOptions(0, List.of(), true, null, "", Duration.ofMillis(200), clientJs));
        LocalLiveKitServer server = dev.embeddedServer();
        server.awaitWorker(Duration.ofSeconds(20));

        Path wav = ToneWav.write(dir.resolve("tone-440.wav"), BrowserInteropTest.TONE_HZ, 48000, 5, 0.5);
        try (ChromiumPage page = ChromiumPage.create()) {
            page.open(DevRunner.playgroundUrl(server.port()) + "?autojoin=1&raw=1&timeoutMs=30000&room=" + ROOM
                    + "&report=" + URLEncoder.encode(page.reportBase(), StandardCharsets.UTF_8), wav);
            JsonObject report = page.awaitReport(Duration.ofSeconds(90));

            assertThat(str(report, "libraryError")).as("livekit-client loading").isNull();
            assertThat(str(report, "error")).as("the page's first failure").isNull();
            assertThat(str(report, "sdkVersion")).isEqualTo("2.23.0");
            assertThat(str(report, "room")).isEqualTo(ROOM);

            // the agent was dispatched to the new room and is shown with its attributes and track
            JsonObject agent = report.getAsJsonObject("agent");
            String agentIdentity = agent.get("identity").getAsString();
            assertThat(agentIdentity).startsWith("agent-AJ_");
            assertThat(server.participants(ROOM).orElseThrow()).anySatisfy(p ->
                    assertThat(p.getKind()).isEqualTo(ParticipantInfo.Kind.AGENT));
            assertThat(agent.getAsJsonObject("attributes").has("lk.agent.name")).isTrue();
            JsonObject shown = report.getAsJsonObject("shown");
            assertThat(str(shown, "agentIdentity")).startsWith(agentIdentity);
            assertThat(texts(shown, "tracks")).anySatisfy(t -> assertThat(t).contains("audio \"echo\""));
            assertThat(rows(shown, "attributes")).anySatisfy(r -> assertThat(r).startsWith("lk.agent.name"));

            // what the agent played back: the microphone's tone, loud enough, and the meters moved
            JsonObject heard = report.getAsJsonObject("heard");
            assertThat(heard.get("rmsDbfs").getAsDouble()).as("level of the echo in the page (dBFS)").isGreaterThan(-40);
            assertThat(heard.get("frequency").getAsDouble()).as("dominant frequency of the echo in the page")
                    .isCloseTo(BrowserInteropTest.TONE_HZ, Percentage.withPercentage(10));
            assertThat(str(shown, "meterAgent")).endsWith("dBFS");
            assertThat(str(shown, "meterLocal")).endsWith("dBFS");

            // chat round trip through the page's chat box
            assertThat(texts(shown, "chat")).anySatisfy(t -> assertThat(t)
                    .isEqualTo(agentIdentity + " [chat] echo: hello from the playground"));

            // the job from the worker's side: its stages in order, and its own log lines
            List<String> stages = column(shown, "timeline", 0);
            assertThat(stages).containsSubsequence("offered", "accepted", "assigned", "running");
            assertThat(texts(shown, "log")).anySatisfy(l -> assertThat(l)
                    .contains("EchoAgent: joined " + ROOM + " as " + agentIdentity));

            // text streams: a second agent participant (our room client) transcribes and chats on the
            // standard topics; the page shows both
            RtcRoom other = RtcRoom.connect(server.url(), agentToken("java-transcriber"), ConnectOptions.defaults());
            try {
                AgentTranscriptions.AgentSegment spoken = new AgentTranscriptions(other).agentSegment();
                spoken.write("Hello ");
                spoken.write("from the transcriber");
                spoken.finish();
                other.localParticipant().sendText("hi on lk.chat", StreamTextOptions.topic("lk.chat"));
                JsonObject transcription = page.awaitEvent("transcription", Duration.ofSeconds(30)).getAsJsonObject("detail");
                assertThat(transcription.get("text").getAsString()).isEqualTo("Hello from the transcriber");
                assertThat(texts(transcription, "shown")).contains("java-transcriber: Hello from the transcriber");
                JsonObject chatText = page.awaitEvent("chat-text", Duration.ofSeconds(30)).getAsJsonObject("detail");
                assertThat(texts(chatText, "shown")).contains("java-transcriber [lk.chat] hi on lk.chat");
            } finally {
                other.disconnect();
            }

            String screenshot = System.getProperty("lkworker.playground.screenshot");
            if (screenshot != null && !screenshot.isBlank()) {
                Path png = Path.of(screenshot).toAbsolutePath();
                Files.createDirectories(png.getParent());
                Files.write(png, page.screenshot(Duration.ofSeconds(20)));
                log.info("playground screenshot saved to {}", png);
            }

            // the room goes, the job ends, the page shows it
            assertThat(server.deleteRoom(ROOM)).isTrue();
            JsonObject ended = page.awaitEvent("ended", Duration.ofSeconds(60));
            List<String> endedStages = column(ended.getAsJsonObject("detail").getAsJsonObject("shown"), "timeline", 0);
            assertThat(endedStages).containsSubsequence("offered", "accepted", "assigned", "running", "ended");
            // the outcome is shown; which one is the example agent's: deleted while echoing, its
            // captureFrame may throw (the job then fails with that), else it returns (succeeded)
            List<String> details = column(ended.getAsJsonObject("detail").getAsJsonObject("shown"), "timeline", 2);
            assertThat(details.get(endedStages.indexOf("ended"))).matches("succeeded|failed: .+");
        }
    }

    /**
     * The default page loads livekit-client from jsDelivr; when it cannot (here: Chromium resolves no
     * host name, as on a machine offline), the page says so in plain words and names the option.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void whenLivekitClientCannotLoadThePageSaysSo() throws Exception {
        Playground playground = new Playground(new Playground.Options(null, ServerConfig.DEFAULT_API_KEY,
                ServerConfig.DEFAULT_API_SECRET, ""));
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().port(0)
                .apiKey(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET).build(), playground.routes()).start();
             ChromiumPage page = ChromiumPage.create()) {
            playground.serverStarted(server.url());
            Path wav = ToneWav.write(dir.resolve("tone-440.wav"), BrowserInteropTest.TONE_HZ, 48000, 1, 0.5);
            page.open(DevRunner.playgroundUrl(server.port()) + "?report="
                    + URLEncoder.encode(page.reportBase(), StandardCharsets.UTF_8), wav,
                    List.of("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"));
            JsonObject report = page.awaitReport(Duration.ofSeconds(60));
            assertThat(str(report, "sdkVersion")).isNull();
            assertThat(str(report, "libraryError"))
                    .startsWith("The LiveKit JavaScript client (livekit-client) could not be loaded from " + Playground.CDN_URL)
                    .contains("--playground-client-js PATH");
        }
    }

    private static String agentToken(String identity) throws Exception {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        JsonObject claims = AccessToken.unverifiedClaims(token);
        claims.addProperty("kind", "agent");
        return AccessToken.sign(claims, ServerConfig.DEFAULT_API_SECRET);
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }

    private static List<String> texts(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        o.getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
        return out;
    }

    /** Table rows as "cell cell ...". */
    private static List<String> rows(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        for (JsonElement row : o.getAsJsonArray(key)) {
            List<String> cells = new ArrayList<>();
            row.getAsJsonArray().forEach(c -> cells.add(c.getAsString()));
            out.add(String.join(" ", cells));
        }
        return out;
    }

    private static List<String> column(JsonObject o, String key, int index) {
        List<String> out = new ArrayList<>();
        for (JsonElement row : o.getAsJsonArray(key)) {
            out.add(row.getAsJsonArray().get(index).getAsString());
        }
        return out;
    }
}
