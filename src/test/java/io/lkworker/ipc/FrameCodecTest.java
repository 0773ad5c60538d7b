package io.lkworker.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lkworker.ipc.proto.Ipc;
import io.lkworker.ipc.proto.Ipc.Envelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    /** Hands out at most {@code step} bytes per read, like a socket delivering a frame in pieces. */
    private static ReadableByteChannel trickle(byte[] data, int step) {
        ByteBuffer source = ByteBuffer.wrap(data);
        return new ReadableByteChannel() {
            boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (!source.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(step, Math.min(dst.remaining(), source.remaining()));
                ByteBuffer slice = source.slice().limit(n);
                dst.put(slice);
                source.position(source.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }

    private static byte[] frames(Envelope... messages) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var ch = Channels.newChannel(bytes);
        for (Envelope m : messages) {
            ByteBuffer frame = FrameWriter.encode(m);
            ch.write(frame);
        }
        return bytes.toByteArray();
    }

    @Test
    void decodesFramesSplitAcrossReads() throws IOException {
        Envelope big = Envelope.newBuilder().setLog(Ipc.LogRecord.newBuilder().setMessage("x".repeat(200_000))).build();
        Envelope ping = Envelope.newBuilder().setPing(Ipc.Ping.newBuilder().setTimestampMs(42)).build();
        byte[] data = frames(ping, big, ping);
        FrameReader reader = new FrameReader();
        List<Envelope> out = new ArrayList<>();
        ReadableByteChannel ch = trickle(data, 7);
        while (reader.read(ch, out)) {
            // keep reading
        }
        assertThat(out).containsExactly(ping, big, ping);
    }

    @Test
    void rejectsOversizedAndGarbageFrames() {
        byte[] huge = ByteBuffer.allocate(8).putInt(FrameReader.DEFAULT_MAX_FRAME_BYTES + 1).array();
        assertThatThrownBy(() -> new FrameReader().read(trickle(huge, 8), new ArrayList<>()))
                .isInstanceOf(FrameException.class).hasMessageContaining("outside");
        byte[] garbage = ByteBuffer.allocate(7).putInt(3).put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}).array();
        assertThatThrownBy(() -> new FrameReader().read(trickle(garbage, 7), new ArrayList<>()))
                .isInstanceOf(FrameException.class).hasMessageContaining("not a valid message");
    }

    @Test
    void endOfStreamInsideAFrameIsAnError() throws IOException {
        byte[] data = frames(Envelope.newBuilder().setPing(Ipc.Ping.newBuilder().setTimestampMs(1)).build());
        byte[] cut = java.util.Arrays.copyOf(data, data.length - 1);
        FrameReader reader = new FrameReader();
        ReadableByteChannel ch = trickle(cut, 100);
        assertThatThrownBy(() -> {
            while (reader.read(ch, new ArrayList<>())) {
                // until end of stream
            }
        })
                .isInstanceOf(FrameException.class).hasMessageContaining("middle of a frame");
    }
}
