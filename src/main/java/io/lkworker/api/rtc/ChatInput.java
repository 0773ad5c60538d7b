package io.lkworker.api.rtc;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives what participants type to the agent: LiveKit's frontends send chat as text streams on topic
 * {@value #TOPIC} ({@code livekit/agents livekit-agents/livekit/agents/types.py TOPIC_CHAT}, read by
 * {@code voice/room_io/room_io.py}). Each message is delivered whole.
 */
public final class ChatInput {

    public static final String TOPIC = "lk.chat";
    /** A longer chat message fails its stream (the handler thread logs it) rather than fill memory. */
    public static final long MAX_MESSAGE_BYTES = 1L << 20;

    private ChatInput() {
    }

    /**
     * Calls {@code onMessage} with every chat message from now on, on a data-stream thread of the room
     * (one message at a time per stream; different messages may be delivered concurrently).
     *
     * @throws IllegalStateException if {@value #TOPIC} already has a text stream handler
     */
    public static void register(Room room, Consumer<ChatMessage> onMessage) {
        Objects.requireNonNull(onMessage, "onMessage");
        room.registerTextStreamHandler(TOPIC, (reader, identity) -> {
            String text = reader.readAll(MAX_MESSAGE_BYTES);
            onMessage.accept(new ChatMessage(identity, text, reader.info()));
        });
    }

    /** Stops receiving chat messages. */
    public static void unregister(Room room) {
        room.unregisterTextStreamHandler(TOPIC);
    }
}
