package io.lkworker.rtc;

import io.lkworker.api.rtc.ByteStreamHandler;
import io.lkworker.api.rtc.DataStreamException;
import io.lkworker.api.rtc.DataStreamException.Reason;
import io.lkworker.api.rtc.TextStreamHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.DataStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of data streams (rules from {@code livekit/client-sdk-js
 * src/room/data-stream/incoming/IncomingDataStreamManager.ts} and {@code StreamReader.ts}): a header
 * opens a stream if its topic has a handler in the registry of its kind (text or bytes), else the
 * stream is ignored and its chunks dropped; chunks and trailers are routed by stream id alone (an
 * agent's transcription header names the user it speaks for, its chunks the agent); a trailer's
 * attributes are merged into the stream's; a trailer reason, the sender leaving, or a length that does
 * not match the header's {@code total_length} (when non-zero) end the stream abnormally.
 *
 * <p><b>Threads.</b> Packets, departures and the room's end arrive on the session thread ({@link
 * DataPacketHandler}); {@link #open} is touched only there. Handlers run on this room's own pool
 * ({@code lk-rtc-N-streams}), at most {@link #MAX_OPEN_STREAMS} at once, shut down with the room. The
 * registries are concurrent: agent threads register while the session thread looks up.
 *
 * <p><b>Memory.</b> At most {@link #MAX_OPEN_STREAMS} streams are open (a header beyond that is
 * ignored with a warning); each holds at most {@link #MAX_UNREAD_PER_STREAM} unread bytes and all of a
 * room's streams together {@link #MAX_UNREAD_PER_ROOM} (see {@link IncomingStream}).
 */
final class IncomingDataStreams implements DataPacketHandler {

    private static final Logger log = LoggerFactory.getLogger(IncomingDataStreams.class);

    /** Topics LiveKit's SDKs use for RPC over data streams; a handler there would steal their traffic. */
    static final Set<String> RESERVED_TOPICS = Set.of("lk.rpc_request", "lk.rpc_response");
    /** Streams open at once per room; also the most handler threads at once. */
    static final int MAX_OPEN_STREAMS = 64;
    /** Unread bytes one stream may hold before it fails: a reader that falls this far behind. */
    static final long MAX_UNREAD_PER_STREAM = 4L << 20;
    /** Unread bytes of all the room's streams together: what a room's data streams may pin in memory. */
    static final long MAX_UNREAD_PER_ROOM = 16L << 20;

    private final String name;
    private final Executor session;
    private final Map<String, TextStreamHandler> textHandlers = new ConcurrentHashMap<>();
    private final Map<String, ByteStreamHandler> byteHandlers = new ConcurrentHashMap<>();
    private final Map<String, IncomingStream> open = new HashMap<>();
    private final AtomicLong roomUnread = new AtomicLong();
    private final ThreadPoolExecutor handlers;

    /**
     * @param name the session's thread name ({@code lk-rtc-N}), for the handler threads' names
     * @param session the session thread, where a finished handler's stream is forgotten
     */
    IncomingDataStreams(String name, Executor session) {
        this.name = name;
        this.session = session;
        AtomicInteger threads = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(0, MAX_OPEN_STREAMS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, name + "-streams-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    // ---- registries (agent threads) -------------------------------------------------------------------

    void registerText(String topic, TextStreamHandler handler) {
        checkTopic(topic);
        Objects.requireNonNull(handler, "handler");
        if (textHandlers.putIfAbsent(topic, handler) != null) {
            throw new IllegalStateException("a text stream handler for topic '" + topic + "' is already registered");
        }
    }

    void unregisterText(String topic) {
        textHandlers.remove(topic);
    }

    void registerBytes(String topic, ByteStreamHandler handler) {
        checkTopic(topic);
        Objects.requireNonNull(handler, "handler");
        if (byteHandlers.putIfAbsent(topic, handler) != null) {
            throw new IllegalStateException("a byte stream handler for topic '" + topic + "' is already registered");
        }
    }

    void unregisterBytes(String topic) {
        byteHandlers.remove(topic);
    }

    private static void checkTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (RESERVED_TOPICS.contains(topic)) {
            throw new IllegalArgumentException("topic '" + topic + "' is reserved for LiveKit's RPC");
        }
    }

    // ---- packets (session thread) ---------------------------------------------------------------------

    @Override
    public boolean accepts(DataPacket.ValueCase kind) {
        return kind == DataPacket.ValueCase.STREAM_HEADER || kind == DataPacket.ValueCase.STREAM_CHUNK
                || kind == DataPacket.ValueCase.STREAM_TRAILER;
    }

    @Override
    public void onPacket(DataPacket packet, String senderIdentity) {
        switch (packet.getValueCase()) {
            case STREAM_HEADER -> onHeader(packet.getStreamHeader(), senderIdentity);
            case STREAM_CHUNK -> onChunk(packet.getStreamChunk());
            case STREAM_TRAILER -> onTrailer(packet.getStreamTrailer());
            default -> {
            }
        }
    }

    private void onHeader(DataStream.Header header, String sender) {
        String id = header.getStreamId();
        ThrowingRunnable start;
        IncomingStream stream = new IncomingStream(id, sender,
                header.hasTotalLength() ? java.util.OptionalLong.of(header.getTotalLength())
                        : java.util.OptionalLong.empty(),
                MAX_UNREAD_PER_STREAM, MAX_UNREAD_PER_ROOM, roomUnread);
        switch (header.getContentHeaderCase()) {
            case TEXT_HEADER -> {
                TextStreamHandler handler = textHandlers.get(header.getTopic());
                if (handler == null) {
                    log.debug("ignoring text stream {} from {}: no handler for topic '{}'", id, sender, header.getTopic());
                    return;
                }
                IncomingTextReader reader = new IncomingTextReader(stream, StreamHeaders.textInfo(header));
                start = () -> handler.onTextStream(reader, sender);
            }
            case BYTE_HEADER -> {
                ByteStreamHandler handler = byteHandlers.get(header.getTopic());
                if (handler == null) {
                    log.debug("ignoring byte stream {} from {}: no handler for topic '{}'", id, sender, header.getTopic());
                    return;
                }
                IncomingByteReader reader = new IncomingByteReader(stream, StreamHeaders.byteInfo(header));
                start = () -> handler.onByteStream(reader, sender);
            }
            default -> {
                log.warn("ignoring data stream {} from {}: its header is neither text nor bytes", id, sender);
                return;
            }
        }
        if (id.isEmpty() || open.containsKey(id)) {
            log.warn("ignoring data stream from {} on topic '{}': {}", sender, header.getTopic(),
                    id.isEmpty() ? "it has no id" : "a stream with id " + id + " is already open");
            return;
        }
        if (open.size() >= MAX_OPEN_STREAMS) {
            log.warn("ignoring data stream {} from {} on topic '{}': {} streams are already open in this room",
                    id, sender, header.getTopic(), MAX_OPEN_STREAMS);
            return;
        }
        try {
            handlers.execute(() -> runHandler(stream, start, header.getTopic()));
        } catch (RejectedExecutionException e) {
            log.warn("ignoring data stream {} from {} on topic '{}': all {} handler threads are busy or the room is"
                    + " closing", id, sender, header.getTopic(), MAX_OPEN_STREAMS);
            return;
        }
        open.put(id, stream);
        if (StreamHeaders.compression(header) != 0) {
            failOpen(stream, Reason.UNSUPPORTED, "data stream " + id + " is compressed (type "
                    + StreamHeaders.compression(header) + "), which this client does not support");
            return;
        }
        Optional<byte[]> inline = StreamHeaders.inlineContent(header);
        if (inline.isPresent()) {
            onChunk(DataStream.Chunk.newBuilder().setStreamId(id)
                    .setContent(com.google.protobuf.ByteString.copyFrom(inline.get())).build());
            onTrailer(DataStream.Trailer.newBuilder().setStreamId(id).build());
        }
    }

    private void onChunk(DataStream.Chunk chunk) {
        IncomingStream stream = open.get(chunk.getStreamId());
        if (stream == null || chunk.getContent().isEmpty()) {
            return;
        }
        if (stream.isAbandoned()) {
            open.remove(stream.id);
            return;
        }
        stream.received += chunk.getContent().size();
        long total = stream.totalLength.orElse(0);
        if (total > 0 && stream.received > total) {
            failOpen(stream, Reason.LENGTH_EXCEEDED, "data stream " + stream.id + " sent more than the " + total
                    + " bytes its header announced (" + stream.received + " so far)");
            return;
        }
        if (!stream.offer(chunk.getContent().toByteArray())) {
            failOpen(stream, Reason.TOO_LARGE, "data stream " + stream.id + " failed: its reader fell behind by more"
                    + " than " + (MAX_UNREAD_PER_STREAM >> 20) + " MiB (or the room's streams by more than "
                    + (MAX_UNREAD_PER_ROOM >> 20) + " MiB); read streams as they arrive");
        }
    }

    private void onTrailer(DataStream.Trailer trailer) {
        IncomingStream stream = open.remove(trailer.getStreamId());
        if (stream == null) {
            return;
        }
        long total = stream.totalLength.orElse(0);
        if (!trailer.getReason().isEmpty()) {
            stream.fail(new DataStreamException(Reason.ABNORMAL_END, "data stream " + stream.id
                    + " closed abnormally: " + trailer.getReason()));
        } else if (total > 0 && stream.received < total) {
            stream.fail(new DataStreamException(Reason.INCOMPLETE, "data stream " + stream.id + " ended after "
                    + stream.received + " of the " + total + " bytes its header announced"));
        } else {
            stream.end(Map.copyOf(trailer.getAttributesMap()));
        }
    }

    private void failOpen(IncomingStream stream, Reason reason, String message) {
        open.remove(stream.id);
        log.warn("{}", message);
        stream.fail(new DataStreamException(reason, message));
    }

    @Override
    public void onParticipantLeft(String identity) {
        for (IncomingStream stream : new ArrayList<>(open.values())) {
            if (stream.senderIdentity.equals(identity)) {
                open.remove(stream.id);
                stream.fail(new DataStreamException(Reason.ABNORMAL_END, "participant " + identity
                        + " left in the middle of sending data stream " + stream.id));
            }
        }
    }

    @Override
    public void onRoomClosed(String reason) {
        for (IncomingStream stream : open.values()) {
            stream.fail(new DataStreamException(Reason.ABNORMAL_END, "room disconnected (" + reason
                    + ") in the middle of data stream " + stream.id));
        }
        open.clear();
        handlers.shutdown();
    }

    // ---- handler threads --------------------------------------------------------------------------------

    /** A handler's thread: runs it, then lets go of the stream whether or not it read it all. */
    private void runHandler(IncomingStream stream, ThrowingRunnable handler, String topic) {
        try {
            handler.run();
        } catch (Throwable t) {
            log.warn("data stream handler for topic '{}' failed on stream {}: {}", topic, stream.id, t.toString());
        } finally {
            stream.abandon();
            try {
                session.execute(() -> open.remove(stream.id, stream));
            } catch (RejectedExecutionException e) {
                // the session is over: nothing left to forget
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public String toString() {
        return "IncomingDataStreams[" + name + "]";
    }
}
