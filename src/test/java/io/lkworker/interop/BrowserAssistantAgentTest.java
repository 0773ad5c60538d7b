package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import livekit.LivekitModels.ParticipantInfo;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example assistant agent ({@code examples/assistant-agent}) as a LiveKit front end sees it: {@code lk-worker
 * dev} (embedded server, process executor) runs it; LiveKit's JavaScript client in headless Chromium (page
 * {@code src/test/js/browser/assistant.js}) joins a new room with its fake microphone (a 440 Hz tone) and fake
 * camera (320×240, one VP8 layer), and the room dispatches the agent. One page run checks: {@code get_time} over
 * RPC (UTC, a zone, a bad zone's own error code) and LiveKit's code for an unknown method; the agent's call of the
 * page's {@code client.greet} and its {@code example.greeting} attribute (for the page, there before the agent,
 * and for a second participant the page joins last); a chat message on {@code lk.chat}
 * answered by interim and final {@code lk.transcription} segments with LiveKit's attributes; {@code lk.agent.state}
 * going listening → thinking → speaking → listening; a 1 MiB file acknowledged with its SHA-256; the agent's
 * report of the camera's first frame at the published size; the echo of the microphone at 440 Hz.
 *
 * <p>{@code -Dassistant.bench.calls=N} also times N {@code get_time} round trips page → agent → page and prints
 * p50/p95 (a documented benchmark, not a timed assertion).
 */
@Tag("interop")
@Tag("process")
class BrowserAssistantAgentTest {

    private static final Logger log = LoggerFactory.getLogger(BrowserAssistantAgentTest.class);
    private static final Path EXAMPLE = Path.of("examples", "assistant-agent", "src", "main");
    private static final String ROOM = "browser-assistant";
    private static final String BROWSER = "browser";
    private static final String LATE = "late-joiner";
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int UPLOAD_BYTES = 1 << 20;
    private static final String CHAT = "hello from the browser ✓ — ça va?";

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
    void livekitClientInChromiumUsesEverythingTheAssistantAgentOffers() throws Exception {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        int benchCalls = Integer.getInteger("assistant.bench.calls", 0);
        Path jar = TestJars.builder()
                .source("example.AssistantAgent", Files.readString(EXAMPLE.resolve("java/example/AssistantAgent.java")))
                .agentService("example.AssistantAgent")
                .build(dir.resolve("assistant-agent.jar"));
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
                BROWSER, "Browser", System.currentTimeMillis(), Duration.ofMinutes(10));
        String lateToken = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                LATE, LATE, System.currentTimeMillis(), Duration.ofMinutes(10));
        Instant started = Instant.now();
        JsonObject r;
        try (BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(
                server.url(), token, "@agent", wav, Duration.ofSeconds(30)).withPage("assistant", Map.of(
                        "width", String.valueOf(WIDTH), "height", String.valueOf(HEIGHT),
                        "bytes", String.valueOf(UPLOAD_BYTES), "chat", CHAT, "benchCalls", String.valueOf(benchCalls), "lateToken", lateToken)))) {
            r = browser.awaitJsonReport(Duration.ofSeconds(240));
            assertThat(server.participants(ROOM).orElseThrow()).as("the agent in the room, as an agent")
                    .anySatisfy(p -> assertThat(p.getKind()).isEqualTo(ParticipantInfo.Kind.AGENT));
        }
        Instant finished = Instant.now();

        assertThat(r.get("error").isJsonNull()).as("the page's first failure: %s", r.get("error")).isTrue();
        JsonObject agent = r.getAsJsonObject("agent");
        String agentIdentity = agent.get("identity").getAsString();
        String agentTrack = agent.get("audioTrackSid").getAsString();
        assertThat(agentIdentity).as("the agent's identity").startsWith("agent-AJ_");

        // RPC page -> agent: get_time, its own error for a bad zone, LiveKit's code for an unknown method
        Instant utc = Instant.parse(r.get("timeUtc").getAsString());
        assertThat(utc).as("get_time's answer is the time of the call").isBetween(started.minusSeconds(60), finished.plusSeconds(60));
        OffsetDateTime tokyo = OffsetDateTime.parse(r.get("timeZoned").getAsString());
        assertThat(tokyo.getOffset()).as("get_time 'Asia/Tokyo'").isEqualTo(ZoneOffset.ofHours(9));
        JsonObject badZone = r.getAsJsonObject("badZone");
        assertThat(badZone.get("code").getAsInt()).as("get_time's code for a bad zone").isEqualTo(4000);
        assertThat(badZone.get("message").getAsString()).isEqualTo("unknown time zone: Not/AZone");
        assertThat(r.getAsJsonObject("unknownMethod").get("code").getAsInt()).as("an unknown method's code")
                .isEqualTo(1400);

        // RPC agent -> page: client.greet, and the answer as the agent's attribute
        JsonArray greetCalls = r.getAsJsonArray("greetCalls");
        assertThat(greetCalls).as("the agent's calls of client.greet").hasSize(1);
        JsonObject greet = greetCalls.get(0).getAsJsonObject();
        assertThat(greet.get("callerIdentity").getAsString()).isEqualTo(agentIdentity);
        assertThat(greet.get("payload").getAsString()).as("client.greet's payload: the agent's identity").isEqualTo(agentIdentity);
        assertThat(r.get("greeting").getAsString()).as("the agent's example.greeting attribute")
                .isEqualTo("hello " + agentIdentity + ", this is " + BROWSER);

        // a participant who joins after the agent (RoomListener.onParticipantConnected) is greeted too
        JsonObject late = r.getAsJsonObject("late");
        assertThat(late.getAsJsonArray("greetCalls")).as("the agent's calls of the late participant's client.greet").hasSize(1);
        assertThat(late.getAsJsonArray("greetCalls").get(0).getAsJsonObject().get("payload").getAsString()).isEqualTo(agentIdentity);
        assertThat(late.get("greeting").getAsString()).isEqualTo("hello " + agentIdentity + ", this is " + LATE);

        // chat in, transcription of the agent's "speech" out
        List<JsonObject> fromAgent = new ArrayList<>();
        for (JsonElement e : r.getAsJsonArray("transcriptions")) {
            if (e.getAsJsonObject().get("from").getAsString().equals(agentIdentity)) {
                fromAgent.add(e.getAsJsonObject());
            }
        }
        assertThat(fromAgent).as("transcription streams from the agent").hasSize(1);
        JsonObject segment = fromAgent.get(0);
        JsonObject header = segment.getAsJsonObject("header");
        JsonObject after = segment.getAsJsonObject("after");
        assertThat(header.get("lk.transcription_final").getAsString()).as("the header: interim").isEqualTo("false");
        assertThat(header.get("lk.segment_id").getAsString()).as("lk.segment_id").startsWith("SG_");
        assertThat(header.get("lk.transcribed_track_id").getAsString()).as("lk.transcribed_track_id: the agent's audio track")
                .isEqualTo(agentTrack);
        assertThat(after.get("lk.transcription_final").getAsString()).as("after the trailer: final").isEqualTo("true");
        assertThat(after.get("lk.segment_id").getAsString()).isEqualTo(header.get("lk.segment_id").getAsString());
        assertThat(segment.get("text").getAsString()).as("the final text").isEqualTo(CHAT);
        List<String> chunks = new ArrayList<>();
        segment.getAsJsonArray("chunks").forEach(c -> chunks.add(c.getAsString()));
        assertThat(chunks).as("interim pieces, word by word").containsExactly("hello ", "from ", "the ", "browser ", "✓ ",
                "— ", "ça ", "va?");

        // the agent's state, as the page saw it change
        List<String> states = new ArrayList<>();
        r.getAsJsonArray("agentStates").forEach(s -> states.add(s.getAsString()));
        assertThat(containsInOrder(states, List.of("listening", "thinking", "speaking", "listening")))
                .as("lk.agent.state went listening → thinking → speaking → listening: %s", states).isTrue();

        // a 1 MiB file, acknowledged with its size and SHA-256
        JsonObject upload = r.getAsJsonObject("upload");
        JsonObject ack = r.getAsJsonObject("uploadAck");
        assertThat(ack.get("size").getAsLong()).as("the size the agent received").isEqualTo(UPLOAD_BYTES);
        assertThat(upload.get("size").getAsLong()).isEqualTo(UPLOAD_BYTES);
        assertThat(ack.get("sha256").getAsString()).as("the SHA-256 the agent computed").isEqualTo(upload.get("sha256").getAsString());
        assertThat(ack.get("name").getAsString()).isEqualTo("upload.bin");

        // the agent looked at the camera
        JsonObject camera = r.getAsJsonObject("published").getAsJsonObject("camera");
        assertThat(camera.get("width").getAsInt()).as("the camera's published width").isEqualTo(WIDTH);
        assertThat(camera.get("height").getAsInt()).isEqualTo(HEIGHT);
        JsonObject video = r.getAsJsonObject("videoReport");
        assertThat(video.get("identity").getAsString()).as("whose video the agent reports").isEqualTo(BROWSER);
        assertThat(video.get("width").getAsInt()).as("the width of the first frame the agent saw").isEqualTo(WIDTH);
        assertThat(video.get("height").getAsInt()).as("its height").isEqualTo(HEIGHT);
        assertThat(video.get("crc32").getAsString()).as("its CRC32").matches("[0-9a-f]{8}");

        // the agent echoes the microphone
        JsonObject heard = r.getAsJsonObject("heard");
        assertThat(heard.get("rmsDbfs").getAsDouble()).as("level of the echo in the browser (dBFS)").isGreaterThan(-40);
        assertThat(heard.get("frequency").getAsDouble()).as("dominant frequency of the echo in the browser")
                .isCloseTo(BrowserInteropTest.TONE_HZ, Percentage.withPercentage(10));

        log.info("1 MiB page -> agent: sendFile returned after {} ms, the agent's acknowledgement after {} ms",
                upload.get("sendMs"), upload.get("ackMs"));
        if (benchCalls > 0) {
            List<Double> ms = new ArrayList<>();
            r.getAsJsonArray("benchMs").forEach(e -> ms.add(e.getAsDouble()));
            log.info("get_time round trip page -> agent -> page: {}", BrowserRpcTest.percentiles(ms));
            System.out.println("RPC get_time browser->assistant agent " + BrowserRpcTest.percentiles(ms));
            System.out.println("1 MiB upload browser->assistant agent: sent " + upload.get("sendMs") + " ms, acknowledged "
                    + upload.get("ackMs") + " ms");
        }
    }

    /** Whether {@code expected} occurs in {@code seen} in order (other values may come between). */
    static boolean containsInOrder(List<String> seen, List<String> expected) {
        int i = 0;
        for (String s : seen) {
            if (i < expected.size() && s.equals(expected.get(i))) {
                i++;
            }
        }
        return i == expected.size();
    }
}
