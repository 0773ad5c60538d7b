package io.lkworker.api.rtc;

import java.util.Map;

/**
 * An open outgoing text stream ({@link LocalParticipant#streamText}). Each {@link #write} is sent at once
 * as one or more chunks (split only between UTF-8 characters); receivers see the pieces as they arrive.
 *
 * <p>Thread-safe: any agent thread may write; writes are sent in the order they were called. A write
 * blocks while the data channel has much unsent data (rather than queueing without bound) and while
 * the room reconnects, and throws {@link RoomException} if it cannot send in time. Writing after
 * {@code close} throws {@link IllegalStateException}.
 */
public interface TextStreamWriter extends AutoCloseable {

    /** The stream's id, topic, attributes... as sent in its header. */
    TextStreamInfo info();

    /** Sends {@code text} as the next chunk(s). */
    void write(String text);

    /** Ends the stream normally (idempotent). */
    @Override
    default void close() {
        close("", Map.of());
    }

    /**
     * Ends the stream (idempotent: only the first close sends the trailer). {@code attributes} are
     * merged into the stream's attributes on the receivers' side; a non-empty {@code reason} tells them
     * the stream ended abnormally (their readers fail with it).
     */
    void close(String reason, Map<String, String> attributes);
}
