package io.lkworker.api.rtc;

import java.util.Map;

/**
 * An open outgoing byte stream ({@link LocalParticipant#streamBytes}): each {@link #write} is sent at once
 * in chunks of at most 15000 bytes.
 *
 * <p>Thread-safe: any agent thread may write; writes are sent in the order they were called. A write
 * blocks while the data channel has much unsent data (rather than queueing without bound) and while
 * the room reconnects, and throws {@link RoomException} if it cannot send in time. Writing after
 * {@code close} throws {@link IllegalStateException}.
 */
public interface ByteStreamWriter extends AutoCloseable {

    /** The stream's id, topic, name... as sent in its header. */
    ByteStreamInfo info();

    default void write(byte[] data) {
        write(data, 0, data.length);
    }

    /** Sends {@code length} bytes of {@code data} from {@code offset} as the next chunk(s). */
    void write(byte[] data, int offset, int length);

    /** Ends the stream normally (idempotent). */
    @Override
    default void close() {
        close("", Map.of());
    }

    /**
     * Ends the stream (idempotent). {@code attributes} are merged into the stream's attributes on the
     * receivers' side; a non-empty {@code reason} tells them the stream ended abnormally.
     */
    void close(String reason, Map<String, String> attributes);
}
