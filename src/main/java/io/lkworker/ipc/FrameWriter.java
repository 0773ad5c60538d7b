package io.lkworker.ipc;

import io.lkworker.ipc.proto.Ipc.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;

/**
 * Encodes messages as frames and writes them, tolerating partial writes on non-blocking channels:
 * what the socket does not take stays queued until the next {@link #flush}. Not thread-safe: the
 * daemon uses it on the loop thread, the child on its single writer thread.
 */
public final class FrameWriter {

    private static final int MAX_GATHER = 64;

    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private long pendingBytes;

    public static ByteBuffer encode(Envelope message) {
        int size = message.getSerializedSize();
        ByteBuffer frame = ByteBuffer.allocate(4 + size);
        frame.putInt(size);
        message.toByteString().copyTo(frame);
        frame.flip();
        return frame;
    }

    public void enqueue(Envelope message) {
        ByteBuffer frame = encode(message);
        pending.add(frame);
        pendingBytes += frame.remaining();
    }

    public boolean hasPending() {
        return !pending.isEmpty();
    }

    public long pendingBytes() {
        return pendingBytes;
    }

    /**
     * Writes as much as the channel takes. On a blocking channel that is everything.
     *
     * @return true when nothing is left queued
     */
    public boolean flush(GatheringByteChannel channel) throws IOException {
        while (!pending.isEmpty()) {
            ByteBuffer[] batch = pending.stream().limit(MAX_GATHER).toArray(ByteBuffer[]::new);
            long written = channel.write(batch);
            pendingBytes -= written;
            while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
                pending.poll();
            }
            if (written == 0) {
                return false;
            }
        }
        return true;
    }
}
