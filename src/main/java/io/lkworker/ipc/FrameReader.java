package io.lkworker.ipc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lkworker.ipc.proto.Ipc.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * Decodes frames (4-byte big-endian length + one serialized {@link Envelope}) from a byte channel,
 * tolerating frames split across reads. Works on non-blocking channels (the daemon's selector) and
 * blocking ones (the child's reader thread). Not thread-safe: one reader per channel.
 */
public final class FrameReader {

    /** Largest frame accepted. Our messages are small; a huge length means a broken or hostile peer. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final int maxFrameBytes;
    /** In write mode between calls: holds the undecoded tail of what was read. */
    private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER);

    public FrameReader() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    public FrameReader(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Reads what the channel has (blocking channels: waits for at least one byte) and appends every
     * complete message to {@code out}.
     *
     * @return false once the peer has closed its side (end of stream); messages decoded before it are in {@code out}
     * @throws FrameException on a frame that is too large or does not parse
     */
    public boolean read(ReadableByteChannel channel, List<Envelope> out) throws IOException {
        while (true) {
            int n = channel.read(buffer);
            if (n < 0) {
                decode(out);
                if (buffer.position() > 0) {
                    throw new FrameException("connection closed in the middle of a frame");
                }
                return false;
            }
            decode(out);
            // Keep reading while the buffer filled up: more is probably waiting (non-blocking case).
            if (n == 0 || buffer.hasRemaining()) {
                return true;
            }
        }
    }

    private void decode(List<Envelope> out) throws FrameException {
        buffer.flip();
        try {
            while (buffer.remaining() >= 4) {
                int length = buffer.getInt(buffer.position());
                if (length < 0 || length > maxFrameBytes) {
                    throw new FrameException("frame length " + Integer.toUnsignedString(length)
                            + " outside 0.." + maxFrameBytes);
                }
                if (buffer.remaining() < 4 + length) {
                    ensureCapacity(4 + length);
                    break;
                }
                int start = buffer.position() + 4;
                try {
                    out.add(Envelope.parseFrom(ByteBuffer.wrap(buffer.array(), start, length)));
                } catch (InvalidProtocolBufferException e) {
                    throw new FrameException("frame of " + length + " bytes is not a valid message: " + e.getMessage(), e);
                }
                buffer.position(start + length);
            }
        } finally {
            buffer.compact();
        }
    }

    /** Called with the buffer in read mode; grows it so one whole frame fits. */
    private void ensureCapacity(int frameBytes) {
        if (buffer.capacity() >= frameBytes) {
            return;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(frameBytes, buffer.capacity() * 2));
        bigger.put(buffer);
        bigger.flip();
        buffer = bigger;
    }
}
