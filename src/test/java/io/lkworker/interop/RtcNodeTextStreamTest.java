package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text streams both ways between LiveKit's Rust-based Node client ({@code @livekit/rtc-node}, the core the Python
 * agents use; script {@code src/test/js/rtc-node-streams.mjs}) and the example assistant agent run by
 * {@code lk-worker dev} (embedded server, process executor): rtc-node's {@code sendText} on {@code lk.chat} reaches
 * the agent whole, and the agent's answer comes back as an {@code lk.transcription} stream, word by word, with
 * LiveKit's attributes. The text is multibyte and one "word" is 20000 bytes of UTF-8, so each side splits it
 * into several chunks of at most 15000 bytes (and must not split a character).
 *
 * <p>rtc-node 1.1.0 does not show a stream's trailer attributes to its handler, so the final flag is checked by
 * the browser test ({@link BrowserAssistantAgentTest}); here the header's.
 */
@Tag("interop")
@Tag("process")
class RtcNodeTextStreamTest {

    private static final Logger log = LoggerFactory.getLogger(RtcNodeTextStreamTest.class);
    private static final Gson GSON = new Gson();
    private static final Path EXAMPLE = Path.of("examples", "assistant-agent", "src", "main");
    private static final String ROOM = "rtc-node-assistant";
    private static final String LONG_WORD = "ü".repeat(10_000);
    private static final String CHAT = "grüße aus Node — 日本語のテキスト 🎉 " + LONG_WORD;

    @TempDir
    Path dir;
    private DevRunner dev;
    private Process node;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JsonObject> report = new CompletableFuture<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (node != null && node.isAlive()) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
        if (dev != null) {
            dev.close();
        }
    }

    @Test
    void rtcNodeChatsWithTheAssistantAgentAndReceivesItsTranscription() throws Exception {
        InteropEnvironment.assumeNode();
        InteropEnvironment.assumeNpmPackage("@livekit/rtc-node");
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

        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                "rtc-node", "rtc-node", System.currentTimeMillis(), Duration.ofMinutes(10));
        Instant started = Instant.now();
        startNode(server.url(), token);
        JsonObject r;
        try {
            r = report.get(180, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("rtc-node-streams.mjs did not report within 180 s; its output:\n" + String.join("\n", output));
        }
        assertThat(r.get("error").isJsonNull()).as("the script's failure: %s; output:\n%s", r.get("error"),
                String.join("\n", output)).isTrue();
        log.info("@livekit/rtc-node {}", r.get("rtcNodeVersion").getAsString());
        String agent = r.get("agent").getAsString();
        assertThat(Instant.parse(r.get("time").getAsString())).as("get_time from rtc-node")
                .isBetween(started.minusSeconds(60), Instant.now().plusSeconds(60));

        List<JsonObject> fromAgent = new ArrayList<>();
        for (JsonElement e : r.getAsJsonArray("transcriptions")) {
            if (e.getAsJsonObject().get("from").getAsString().equals(agent)) {
                fromAgent.add(e.getAsJsonObject());
            }
        }
        assertThat(fromAgent).as("transcription streams from the agent").hasSize(1);
        JsonObject segment = fromAgent.get(0);
        assertThat(segment.get("text").getAsString()).as("the agent's answer: the chat text, multibyte intact").isEqualTo(CHAT);
        JsonObject header = segment.getAsJsonObject("header");
        assertThat(header.get("lk.transcription_final").getAsString()).isEqualTo("false");
        assertThat(header.get("lk.segment_id").getAsString()).startsWith("SG_");
        List<String> agentTracks = new ArrayList<>();
        r.getAsJsonArray("agentTrackSids").forEach(s -> agentTracks.add(s.getAsString()));
        assertThat(header.get("lk.transcribed_track_id").getAsString()).as("lk.transcribed_track_id: the agent's audio track")
                .isIn(agentTracks);
        List<String> chunks = new ArrayList<>();
        segment.getAsJsonArray("chunks").forEach(c -> chunks.add(c.getAsString()));
        assertThat(chunks.subList(0, 6)).as("the first pieces, word by word")
                .containsExactly("grüße ", "aus ", "Node ", "— ", "日本語のテキスト ", "🎉 ");
        assertThat(String.join("", chunks.subList(6, chunks.size()))).as("the long word").isEqualTo(LONG_WORD);
        assertThat(chunks.size()).as("the long word (20000 bytes) arrives in chunks of at most 15000 bytes: %s",
                chunks.stream().map(c -> c.getBytes(StandardCharsets.UTF_8).length).toList()).isGreaterThanOrEqualTo(8);
        assertThat(node.waitFor(20, TimeUnit.SECONDS)).as("rtc-node-streams.mjs exits").isTrue();
        assertThat(node.exitValue()).isZero();
    }

    private void startNode(String url, String token) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(InteropEnvironment.node().toString(),
                InteropEnvironment.jsDir().resolve("rtc-node-streams.mjs").toString(), url, token,
                // a file, not an argument: arguments go through the platform's encoding, which may not be UTF-8
                Files.writeString(dir.resolve("chat.txt"), CHAT, StandardCharsets.UTF_8).toString())
                .redirectErrorStream(true);
        pb.environment().put("LK_RTC_NODE_DIR", RtcNodeRpcTest.rtcNodeDir().toString());
        node = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line.length() > 2000 ? line.substring(0, 2000) + "..." : line);
                    if (line.startsWith("STREAMTEST ")) {
                        JsonObject e = GSON.fromJson(line.substring("STREAMTEST ".length()), JsonObject.class);
                        log.info("rtc-node: {}", e.get("event"));
                        if (e.get("event").getAsString().equals("report")) {
                            report.complete(e.getAsJsonObject("report"));
                        }
                    }
                }
            } catch (IOException e) {
                // gone
            }
            report.completeExceptionally(new AssertionError("rtc-node-streams.mjs exited without a report; its output:\n"
                    + String.join("\n", output)));
        }, "rtc-node-output");
        pump.setDaemon(true);
        pump.start();
    }
}
