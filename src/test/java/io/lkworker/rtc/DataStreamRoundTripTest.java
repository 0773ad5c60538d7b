package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.lkworker.api.rtc.AgentTranscriptions;
import io.lkworker.api.rtc.ByteStreamInfo;
import io.lkworker.api.rtc.ByteStreamWriter;
import io.lkworker.api.rtc.ChatInput;
import io.lkworker.api.rtc.ChatMessage;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataStreamException;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.api.rtc.TextStreamInfo;
import io.lkworker.api.rtc.TextStreamWriter;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data streams between two of our room clients through the embedded server, over real WebRTC data
 * channels on loopback: text and bytes intact, attributes, the receiving rules (no handler, one handler
 * per topic, reserved topics), abnormal ends, length checks, the memory bound, and the agent
 * transcription conventions.
 */
@Tag("rtc")
class DataStreamRoundTripTest {

    private static final long WAIT = 30;

    private LocalLiveKitServer server;
    private final List<RtcRoom> rooms = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        rooms.forEach(RtcRoom::disconnect);
        server.close();
    }

    private RtcRoom join(String room, String identity, boolean agent) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        if (agent) {
            try {
                JsonObject claims = AccessToken.unverifiedClaims(token);
                claims.addProperty("kind", "agent");
                token = AccessToken.sign(claims, ServerConfig.DEFAULT_API_SECRET);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        rooms.add(r);
        return r;
    }

    /** Alice receives, Bob sends; returns {alice, bob} once they see each other. */
    private RtcRoom[] pair(String room) {
        RtcRoom alice = join(room, "alice", false);
        RtcRoom bob = join(room, "bob", false);
        await().atMost(WAIT, TimeUnit.SECONDS).until(() -> alice.remoteParticipants().containsKey("bob")
                && bob.remoteParticipants().containsKey("alice"));
        return new RtcRoom[] {alice, bob};
    }

    record Received<I>(String sender, I info, Object content, List<String> pieces) {
    }

    @Test
    void textCrossesChunkBoundariesWithoutSplittingCharactersAndCarriesAttributes() throws Exception {
        RtcRoom[] p = pair("text");
        BlockingQueue<Received<TextStreamInfo>> got = new LinkedBlockingQueue<>();
        p[0].registerTextStreamHandler("t", (reader, sender) -> {
            List<String> pieces = new ArrayList<>();
            reader.forEach(pieces::add);
            got.add(new Received<>(sender, reader.info(), String.join("", pieces), pieces));
        });
        // 1-, 2-, 3- and 4-byte characters: 15000-byte cuts land inside characters
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 40_000) {
            sb.append("a\u00e9\u20ac\uD83D\uDE00");
        }
        String text = sb.toString();
        TextStreamWriter writer = p[1].localParticipant().streamText(StreamTextOptions.topic("t")
                .withAttributes(Map.of("k", "header", "only", "h")));
        writer.write(text);
        writer.write("!");
        writer.close("", Map.of("k", "trailer", "end", "yes"));

        Received<TextStreamInfo> r = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.sender()).isEqualTo("bob");
        assertThat(r.content()).isEqualTo(text + "!");
        assertThat(r.pieces()).hasSizeGreaterThan(3).allSatisfy(piece -> assertThat(piece).doesNotContain("\uFFFD"));
        assertThat(r.info().id()).isEqualTo(writer.info().id()).matches("[0-9a-f-]{36}");
        assertThat(r.info().topic()).isEqualTo("t");
        assertThat(r.info().mimeType()).isEqualTo("text/plain");
        assertThat(r.info().totalSize()).isEmpty();
        assertThat(r.info().attributes()).containsEntry("k", "trailer").containsEntry("only", "h")
                .containsEntry("end", "yes");

        TextStreamInfo sent = p[1].localParticipant().sendText("héllo", StreamTextOptions.topic("t"));
        Received<TextStreamInfo> one = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(one.content()).isEqualTo("héllo");
        assertThat(one.info().totalSize()).hasValue(6);
        assertThat(one.info().id()).isEqualTo(sent.id());
    }

    @Test
    void aMegabyteOfBytesAndAFileArriveIntact(@TempDir Path dir) throws Exception {
        RtcRoom[] p = pair("bytes");
        BlockingQueue<Received<ByteStreamInfo>> got = new LinkedBlockingQueue<>();
        p[0].registerByteStreamHandler("b", (reader, sender) ->
                got.add(new Received<>(sender, reader.info(), reader.readAll(), List.of())));
        byte[] payload = new byte[1 << 20];
        new Random(7).nextBytes(payload);

        ByteStreamInfo sent = p[1].localParticipant().sendBytes(payload, StreamBytesOptions.topic("b"));
        Received<ByteStreamInfo> r = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(sha256((byte[]) r.content())).isEqualTo(sha256(payload));
        assertThat(r.info().name()).isEqualTo("unknown");
        assertThat(r.info().mimeType()).isEqualTo("application/octet-stream");
        assertThat(r.info().totalSize()).hasValue(payload.length);
        assertThat(r.info().id()).isEqualTo(sent.id());

        Path file = dir.resolve("photo.bin");
        new Random(8).nextBytes(payload);
        Files.write(file, payload);
        p[1].localParticipant().sendFile(file, StreamBytesOptions.topic("b").withAttributes(Map.of("kind", "file")));
        Received<ByteStreamInfo> f = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(f).isNotNull();
        assertThat(sha256((byte[]) f.content())).isEqualTo(sha256(payload));
        assertThat(f.info().name()).isEqualTo("photo.bin");
        assertThat(f.info().attributes()).containsEntry("kind", "file");

        // an incremental byte stream, read through an InputStream
        CompletableFuture<String> viaInput = new CompletableFuture<>();
        p[0].registerByteStreamHandler("in", (reader, sender) -> {
            try (var in = reader.inputStream()) {
                viaInput.complete(sha256(in.readAllBytes()));
            }
        });
        ByteStreamWriter w = p[1].localParticipant().streamBytes(StreamBytesOptions.topic("in").withName("x"));
        w.write(payload, 0, 100_000);
        w.write(payload, 100_000, payload.length - 100_000);
        w.close();
        assertThat(viaInput.get(WAIT, TimeUnit.SECONDS)).isEqualTo(sha256(payload));
    }

    @Test
    void streamsWithoutAHandlerAreIgnoredAndTopicsTakeOneHandler() throws Exception {
        RtcRoom[] p = pair("registry");
        List<String> got = new CopyOnWriteArrayList<>();
        p[0].registerTextStreamHandler("t", (reader, sender) -> got.add("text " + reader.readAll()));
        p[0].registerByteStreamHandler("t", (reader, sender) -> got.add("bytes " + reader.readAll().length));

        assertThatThrownBy(() -> p[0].registerTextStreamHandler("t", (reader, sender) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'t'");
        assertThatThrownBy(() -> p[0].registerByteStreamHandler("lk.rpc_request", (reader, sender) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");

        p[1].localParticipant().sendText("nobody listens", StreamTextOptions.topic("other"));
        p[1].localParticipant().sendBytes(new byte[20_000], StreamBytesOptions.topic("other"));
        p[1].localParticipant().sendText("first", StreamTextOptions.topic("t"));
        p[1].localParticipant().sendBytes(new byte[3], StreamBytesOptions.topic("t"));
        await().atMost(WAIT, TimeUnit.SECONDS).until(() -> got.size() == 2);
        assertThat(got).containsExactlyInAnyOrder("text first", "bytes 3");

        p[0].unregisterTextStreamHandler("t");
        p[0].registerTextStreamHandler("t", (reader, sender) -> got.add("again " + reader.readAll()));
        p[1].localParticipant().sendText("second", StreamTextOptions.topic("t"));
        await().atMost(WAIT, TimeUnit.SECONDS).until(() -> got.contains("again second"));
    }

    @Test
    void aSenderLeavingOrAReasonOrAWrongLengthEndsTheStreamAbnormally() throws Exception {
        RtcRoom[] p = pair("abnormal");
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        p[0].registerTextStreamHandler("t", (reader, sender) -> {
            try {
                got.add(reader.readAll());
            } catch (DataStreamException e) {
                got.add(e);
            }
        });
        p[0].registerByteStreamHandler("b", (reader, sender) -> {
            try {
                got.add(reader.readAll().length);
            } catch (DataStreamException e) {
                got.add(e);
            }
        });

        TextStreamWriter reasoned = p[1].localParticipant().streamText(StreamTextOptions.topic("t"));
        reasoned.write("half");
        reasoned.close("interrupted", Map.of());
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class, e -> {
            assertThat(e.reason()).isEqualTo(DataStreamException.Reason.ABNORMAL_END);
            assertThat(e.getMessage()).contains("interrupted");
        });

        ByteStreamWriter tooLong = p[1].localParticipant().streamBytes(StreamBytesOptions.topic("b").withTotalSize(10));
        tooLong.write(new byte[20]);
        tooLong.close();
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class,
                e -> assertThat(e.reason()).isEqualTo(DataStreamException.Reason.LENGTH_EXCEEDED));

        ByteStreamWriter tooShort = p[1].localParticipant().streamBytes(StreamBytesOptions.topic("b").withTotalSize(10));
        tooShort.write(new byte[5]);
        tooShort.close();
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class, e -> {
            assertThat(e.reason()).isEqualTo(DataStreamException.Reason.INCOMPLETE);
            assertThat(e.getMessage()).contains("5 of the 10");
        });

        TextStreamWriter left = p[1].localParticipant().streamText(StreamTextOptions.topic("t"));
        left.write("and then");
        p[1].disconnect();
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class, e -> {
            assertThat(e.reason()).isEqualTo(DataStreamException.Reason.ABNORMAL_END);
            assertThat(e.getMessage()).contains("bob").contains("left");
        });
    }

    @Test
    void aReaderThatFallsBehindFailsItsStreamAndTheRoomGoesOn() throws Exception {
        RtcRoom[] p = pair("memory");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> slow = new CompletableFuture<>();
        p[0].registerByteStreamHandler("b", (reader, sender) -> {
            release.await(WAIT, TimeUnit.SECONDS);
            try {
                slow.complete(reader.readAll(64L << 20));
            } catch (DataStreamException e) {
                slow.complete(e);
            }
        });
        CompletableFuture<String> later = new CompletableFuture<>();
        p[0].registerTextStreamHandler("t", (reader, sender) -> later.complete(reader.readAll()));

        byte[] big = new byte[(int) IncomingDataStreams.MAX_UNREAD_PER_STREAM + (1 << 20)];
        p[1].localParticipant().sendBytes(big, StreamBytesOptions.topic("b"));
        p[1].localParticipant().sendText("still here", StreamTextOptions.topic("t"));
        assertThat(later.get(WAIT, TimeUnit.SECONDS)).isEqualTo("still here");
        release.countDown();
        assertThat(slow.get(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class, e -> {
            assertThat(e.reason()).isEqualTo(DataStreamException.Reason.TOO_LARGE);
            assertThat(e.getMessage()).contains("fell behind");
        });
        assertThat(p[0].isConnected()).isTrue();

        // readAll's own cap
        CompletableFuture<Object> capped = new CompletableFuture<>();
        p[0].registerByteStreamHandler("c", (reader, sender) -> {
            try {
                capped.complete(reader.readAll(1000));
            } catch (DataStreamException e) {
                capped.complete(e);
            }
        });
        p[1].localParticipant().sendBytes(new byte[5000], StreamBytesOptions.topic("c"));
        assertThat(capped.get(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class,
                e -> assertThat(e.getMessage()).contains("readAll limit of 1000"));
    }

    @Test
    void transcriptionsFollowLiveKitAgentsConventions() throws Exception {
        RtcRoom user = join("transcribe", "user", false);
        RtcRoom agent = join("transcribe", "agent", true);
        await().atMost(WAIT, TimeUnit.SECONDS).until(() -> agent.remoteParticipants().containsKey("user")
                && user.remoteParticipants().containsKey("agent"));
        BlockingQueue<Received<TextStreamInfo>> got = new LinkedBlockingQueue<>();
        user.registerTextStreamHandler(AgentTranscriptions.TOPIC, (reader, sender) -> {
            TextStreamInfo header = reader.info();
            List<String> pieces = new ArrayList<>();
            reader.forEach(pieces::add);
            got.add(new Received<>(sender, reader.info(), header, pieces));
        });
        AgentTranscriptions transcriptions = new AgentTranscriptions(agent);

        AgentTranscriptions.AgentSegment spoken = transcriptions.agentSegment();
        spoken.write("Hello ");
        spoken.write("there.");
        spoken.finish();
        Received<TextStreamInfo> a = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(a.sender()).isEqualTo("agent");
        assertThat(a.pieces()).containsExactly("Hello ", "there.");
        assertThat(((TextStreamInfo) a.content()).attributes())
                .containsEntry(AgentTranscriptions.ATTRIBUTE_FINAL, "false")
                .containsEntry(AgentTranscriptions.ATTRIBUTE_SEGMENT_ID, spoken.segmentId());
        assertThat(a.info().attributes()).containsEntry(AgentTranscriptions.ATTRIBUTE_FINAL, "true")
                .containsEntry(AgentTranscriptions.ATTRIBUTE_SEGMENT_ID, spoken.segmentId());
        assertThat(a.info().generated()).isFalse();

        AgentTranscriptions.UserSegment heard = transcriptions.userSegment("user");
        heard.update("what is");
        heard.finish("what is the time");
        Received<TextStreamInfo> interim = got.poll(WAIT, TimeUnit.SECONDS);
        Received<TextStreamInfo> last = got.poll(WAIT, TimeUnit.SECONDS);
        for (Received<TextStreamInfo> r : List.of(interim, last)) {
            assertThat(r.sender()).isEqualTo("user");
            assertThat(r.info().generated()).isTrue();
            assertThat(r.info().attributes()).containsEntry(AgentTranscriptions.ATTRIBUTE_SEGMENT_ID, heard.segmentId());
        }
        assertThat(String.join("", interim.pieces())).isEqualTo("what is");
        assertThat(((TextStreamInfo) interim.content()).attributes()).containsEntry(AgentTranscriptions.ATTRIBUTE_FINAL, "false");
        assertThat(String.join("", last.pieces())).isEqualTo("what is the time");
        assertThat(((TextStreamInfo) last.content()).attributes()).containsEntry(AgentTranscriptions.ATTRIBUTE_FINAL, "true");
        assertThat(heard.segmentId()).isNotEqualTo(spoken.segmentId()).startsWith("SG_");
    }

    @Test
    void chatInputDeliversWholeMessages() throws Exception {
        RtcRoom[] p = pair("chat");
        BlockingQueue<ChatMessage> got = new LinkedBlockingQueue<>();
        ChatInput.register(p[0], got::add);
        p[1].localParticipant().sendText("hi agent", StreamTextOptions.topic(ChatInput.TOPIC));
        ChatMessage m = got.poll(WAIT, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.senderIdentity()).isEqualTo("bob");
        assertThat(m.text()).isEqualTo("hi agent");
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
