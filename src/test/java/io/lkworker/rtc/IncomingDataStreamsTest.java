package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.lkworker.api.rtc.DataStreamException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.DataStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receiving rules fed with packets as the network could deliver them, including ones LiveKit's
 * clients never send us: chunks of unknown streams, a second header with an open stream's id, headers
 * without an id, single-packet (inline) and compressed v2 headers, more streams than the bound.
 * The packets go straight to {@link IncomingDataStreams} as the session thread would hand them.
 */
class IncomingDataStreamsTest {

    private static final long WAIT = 30;

    private final IncomingDataStreams streams = new IncomingDataStreams("test", Runnable::run);
    private final BlockingQueue<Object> got = new LinkedBlockingQueue<>();

    @AfterEach
    void close() {
        streams.onRoomClosed("test over");
    }

    private void readTextInto() {
        streams.registerText("t", (reader, sender) -> {
            try {
                got.add(sender + ":" + reader.readAll());
            } catch (DataStreamException e) {
                got.add(e);
            }
        });
    }

    private static DataStream.Header.Builder text(String id) {
        return DataStream.Header.newBuilder().setStreamId(id).setTopic("t").setMimeType("text/plain")
                .setTextHeader(DataStream.TextHeader.getDefaultInstance());
    }

    private void header(DataStream.Header.Builder h, String sender) {
        streams.onPacket(DataPacket.newBuilder().setStreamHeader(h).build(), sender);
    }

    private void chunk(String id, String content) {
        streams.onPacket(DataPacket.newBuilder().setStreamChunk(DataStream.Chunk.newBuilder().setStreamId(id)
                .setContent(ByteString.copyFromUtf8(content))).build(), "agent");
    }

    private void trailer(String id) {
        streams.onPacket(DataPacket.newBuilder().setStreamTrailer(DataStream.Trailer.newBuilder().setStreamId(id))
                .build(), "agent");
    }

    @Test
    void chunksAreRoutedByStreamIdWhateverTheirSender() throws Exception {
        readTextInto();
        chunk("unknown", "dropped");
        trailer("unknown");
        header(text("s1"), "user");          // a transcription header on behalf of "user"
        chunk("s1", "héllo ");
        chunk("s1", "world");
        trailer("s1");
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("user:héllo world");
    }

    @Test
    void aHeaderWithoutIdOrWithAnOpenStreamsIdIsIgnored() throws Exception {
        readTextInto();
        header(text(""), "bob");
        header(text("dup"), "bob");
        header(text("dup").setTopic("t"), "eve");
        chunk("dup", "once");
        trailer("dup");
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("bob:once");
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).as("no second stream").isNull();
    }

    @Test
    void anInlineHeaderIsAOneChunkStreamAndACompressedOneFails() throws Exception {
        readTextInto();
        header(text("inline").setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(StreamHeaders.INLINE_CONTENT_FIELD, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom("all at once", StandardCharsets.UTF_8)).build())
                .build()), "bob");
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("bob:all at once");

        header(text("deflated").setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(StreamHeaders.COMPRESSION_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                .build()), "bob");
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class, e -> {
            assertThat(e.reason()).isEqualTo(DataStreamException.Reason.UNSUPPORTED);
            assertThat(e.getMessage()).contains("compressed");
        });
    }

    @Test
    void invalidUtf8FailsTheStream() throws Exception {
        readTextInto();
        header(text("bad"), "bob");
        streams.onPacket(DataPacket.newBuilder().setStreamChunk(DataStream.Chunk.newBuilder().setStreamId("bad")
                .setContent(ByteString.copyFrom(new byte[] {(byte) 0xC3, 0x28}))).build(), "bob");
        trailer("bad");
        assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isInstanceOfSatisfying(DataStreamException.class,
                e -> assertThat(e.reason()).isEqualTo(DataStreamException.Reason.DECODE_FAILED));
    }

    @Test
    void streamsBeyondTheOpenBoundAreIgnoredUntilOneEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        streams.registerText("t", (reader, sender) -> {
            release.await(WAIT, TimeUnit.SECONDS);
            got.add(reader.readAll());
        });
        for (int i = 0; i < IncomingDataStreams.MAX_OPEN_STREAMS; i++) {
            header(text("s" + i), "bob");
        }
        header(text("one-too-many"), "bob");
        chunk("one-too-many", "x");
        trailer("one-too-many");
        for (int i = 0; i < IncomingDataStreams.MAX_OPEN_STREAMS; i++) {
            chunk("s" + i, "ok");
            trailer("s" + i);
        }
        release.countDown();
        for (int i = 0; i < IncomingDataStreams.MAX_OPEN_STREAMS; i++) {
            assertThat(got.poll(WAIT, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void utf8PiecesNeverSplitACharacter() {
        byte[] utf8 = "a€😀é".repeat(1000).getBytes(StandardCharsets.UTF_8);
        List<int[]> pieces = Utf8Chunks.split(utf8, 0, utf8.length, 7);
        StringBuilder rebuilt = new StringBuilder();
        int at = 0;
        for (int[] p : pieces) {
            assertThat(p[0]).isEqualTo(at);
            assertThat(p[1] - p[0]).isBetween(1, 7);
            String piece = new String(utf8, p[0], p[1] - p[0], StandardCharsets.UTF_8);
            assertThat(piece).doesNotContain("\uFFFD");
            rebuilt.append(piece);
            at = p[1];
        }
        assertThat(at).isEqualTo(utf8.length);
        assertThat(rebuilt.toString()).isEqualTo("a€😀é".repeat(1000));
    }
}
