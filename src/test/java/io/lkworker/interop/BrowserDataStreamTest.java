package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.api.rtc.AgentTranscriptions;
import io.lkworker.api.rtc.ChatInput;
import io.lkworker.api.rtc.ChatMessage;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data streams between LiveKit's JavaScript client in headless Chromium ({@code src/test/js/browser/streams.js})
 * and our room client joined as an agent, through the embedded server: the page's chat message on
 * {@code lk.chat} reaches {@link ChatInput}; the page's {@code lk.transcription} handler receives our agent
 * segment (deltas, final in the trailer) and a user segment on the page's behalf (interim, then final);
 * a 1 MiB file goes each way and arrives intact (SHA-256 compared). Skipped without Chromium or livekit-client.
 */
@Tag("interop")
class BrowserDataStreamTest {

    private static final String ROOM = "interop-streams";
    private static final String BROWSER = "browser";
    private static final String AGENT = "java-agent";
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;
    private LocalLiveKitServer server;

    @BeforeEach
    void start() throws Exception {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String token(String identity, boolean agent) throws Exception {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        if (!agent) {
            return token;
        }
        JsonObject claims = AccessToken.unverifiedClaims(token);
        claims.addProperty("kind", "agent");
        return AccessToken.sign(claims, ServerConfig.DEFAULT_API_SECRET);
    }

    @Test
    void livekitClientAndOurAgentExchangeChatTranscriptionsAndFiles() throws Exception {
        Path wav = ToneWav.write(dir.resolve("tone.wav"), 440, 48000, 2, 0.1);
        RtcRoom agent = RtcRoom.connect(server.url(), token(AGENT, true), ConnectOptions.defaults());
        try {
            CompletableFuture<ChatMessage> chat = new CompletableFuture<>();
            ChatInput.register(agent, chat::complete);
            CompletableFuture<String[]> fromBrowser = new CompletableFuture<>();
            agent.registerByteStreamHandler("browser-bytes", (reader, sender) -> {
                byte[] all = reader.readAll();
                fromBrowser.complete(new String[] {sender, reader.info().name(), Integer.toString(all.length), sha256(all)});
                // the page stays until it has this receipt (its sendFile returns before delivery)
                agent.localParticipant().sendText("got " + all.length, StreamTextOptions.topic("java-got-bytes")
                        .withDestinations(List.of(sender)));
            });
            byte[] payload = new byte[SIZE];
            new Random(11).nextBytes(payload);
            Path file = dir.resolve("java.bin");
            Files.write(file, payload);

            try (BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(
                    server.url(), token(BROWSER, false), AGENT, wav, Duration.ofSeconds(30))
                    .withPage("streams", Map.of("bytes", Integer.toString(SIZE))))) {
                browser.awaitEvent("ready", Duration.ofSeconds(60));

                AgentTranscriptions transcriptions = new AgentTranscriptions(agent);
                AgentTranscriptions.AgentSegment spoken = transcriptions.agentSegment();
                spoken.write("Hello ");
                spoken.write("from Java ✓");
                spoken.finish();
                AgentTranscriptions.UserSegment heard = transcriptions.userSegment(BROWSER);
                heard.update("what");
                heard.finish("what time is it");
                agent.localParticipant().sendFile(file, StreamBytesOptions.topic("java-bytes"));

                ChatMessage message = chat.get(60, TimeUnit.SECONDS);
                assertThat(message.senderIdentity()).isEqualTo(BROWSER);
                assertThat(message.text()).isEqualTo("hello from the browser ✓");

                JsonObject report = browser.awaitJsonReport(Duration.ofSeconds(120));
                assertThat(report.get("error").isJsonNull()).as("the page's failure: %s", report.get("error")).isTrue();

                String[] got = fromBrowser.get(60, TimeUnit.SECONDS);
                JsonObject sent = report.getAsJsonObject("sentBytes");
                assertThat(got[0]).isEqualTo(BROWSER);
                assertThat(got[1]).isEqualTo("browser.bin");
                assertThat(Integer.parseInt(got[2])).isEqualTo(SIZE);
                assertThat(got[3]).isEqualTo(sent.get("sha256").getAsString());

                JsonObject javaBytes = report.getAsJsonObject("javaBytes");
                assertThat(javaBytes.get("from").getAsString()).isEqualTo(AGENT);
                assertThat(javaBytes.get("name").getAsString()).isEqualTo("java.bin");
                assertThat(javaBytes.get("size").getAsInt()).isEqualTo(SIZE);
                assertThat(javaBytes.get("sha256").getAsString()).isEqualTo(sha256(payload));

                List<JsonObject> ts = report.getAsJsonArray("transcriptions").asList().stream()
                        .map(JsonElement::getAsJsonObject).toList();
                assertThat(ts).hasSize(3);
                JsonObject agentSpeech = ts.stream().filter(t -> t.get("from").getAsString().equals(AGENT)).findFirst()
                        .orElseThrow();
                assertThat(agentSpeech.get("text").getAsString()).isEqualTo("Hello from Java ✓");
                assertThat(attr(agentSpeech, "header", AgentTranscriptions.ATTRIBUTE_FINAL)).isEqualTo("false");
                assertThat(attr(agentSpeech, "after", AgentTranscriptions.ATTRIBUTE_FINAL)).isEqualTo("true");
                assertThat(attr(agentSpeech, "after", AgentTranscriptions.ATTRIBUTE_SEGMENT_ID)).isEqualTo(spoken.segmentId());

                List<JsonObject> user = ts.stream().filter(t -> t.get("from").getAsString().equals(BROWSER)).toList();
                assertThat(user).hasSize(2);
                assertThat(user).extracting(t -> t.get("text").getAsString())
                        .containsExactlyInAnyOrder("what", "what time is it");
                for (JsonObject t : user) {
                    boolean last = t.get("text").getAsString().equals("what time is it");
                    assertThat(attr(t, "header", AgentTranscriptions.ATTRIBUTE_FINAL)).isEqualTo(Boolean.toString(last));
                    assertThat(attr(t, "header", AgentTranscriptions.ATTRIBUTE_SEGMENT_ID)).isEqualTo(heard.segmentId());
                }
            }
        } finally {
            agent.disconnect();
        }
    }

    private static String attr(JsonObject transcription, String which, String key) {
        JsonElement v = transcription.getAsJsonObject(which).get(key);
        return v == null ? null : v.getAsString();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
