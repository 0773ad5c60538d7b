package io.lkworker.rtc;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.DataStream;

/**
 * The wire side of one outgoing data stream: the header, numbered chunks, the trailer, all reliable
 * (as {@code livekit/client-sdk-js src/room/data-stream/outgoing/OutgoingDataStreamManager.ts}).
 *
 * <p>Threads: any agent thread; one lock keeps a write's chunks together and the indices in order,
 * and is held while a packet is handed to the data channel (so writes block, they never queue).
 */
final class OutgoingStream {

    /** LiveKit's chunk size: below the ~16 KiB SCTP message size every browser accepts. */
    static final int CHUNK_SIZE = 15_000;
    /** A header packet larger than one chunk is refused by LiveKit's clients too (HeaderTooLarge). */
    static final int MAX_HEADER_PACKET_SIZE = 15_000;
    /**
     * How long one packet may wait for the room (a reconnect) and for the data channel to drain. Long,
     * because a megabyte queued behind a slow link takes seconds; a stuck room still fails the write.
     */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Writers wait while more than this waits unsent in the reliable channel: the channel's own buffer
     * is bounded only by memory, and {@link RtcSession#sendPacket} refuses to queue over 16 MiB.
     */
    static final long MAX_BACKLOG = 2L << 20;

    private final RtcSession session;
    private final String streamId;
    private final List<String> destinations;
    private final String senderIdentity;
    private long nextChunkIndex;
    private boolean closed;

    private OutgoingStream(RtcSession session, String streamId, List<String> destinations, String senderIdentity) {
        this.session = session;
        this.streamId = streamId;
        this.destinations = destinations;
        this.senderIdentity = senderIdentity;
    }

    /** Sends {@code header} and returns the stream to write to. Agent thread. */
    static OutgoingStream open(RtcSession session, DataStream.Header header, List<String> destinations,
            String senderIdentity) {
        OutgoingStream stream = new OutgoingStream(session, header.getStreamId(), destinations, senderIdentity);
        DataPacket.Builder packet = stream.packet().setStreamHeader(header);
        int size = packet.build().getSerializedSize();
        if (size > MAX_HEADER_PACKET_SIZE) {
            throw new IllegalArgumentException("data stream header of " + size + " bytes is over the limit of "
                    + MAX_HEADER_PACKET_SIZE + "; make its attributes (or destinations) smaller");
        }
        stream.send(packet);
        return stream;
    }

    String streamId() {
        return streamId;
    }

    /** Sends {@code data[offset, offset+length)} as chunks, cut between UTF-8 characters if {@code text}. */
    synchronized void write(byte[] data, int offset, int length, boolean text) {
        if (closed) {
            throw new IllegalStateException("data stream " + streamId + " is closed");
        }
        if (text) {
            for (int[] piece : Utf8Chunks.split(data, offset, length, CHUNK_SIZE)) {
                sendChunk(data, piece[0], piece[1] - piece[0]);
            }
        } else {
            for (int at = offset; at < offset + length; at += CHUNK_SIZE) {
                sendChunk(data, at, Math.min(CHUNK_SIZE, offset + length - at));
            }
        }
    }

    /** Sends the trailer once; later calls do nothing. */
    synchronized void close(String reason, Map<String, String> attributes) {
        if (closed) {
            return;
        }
        closed = true;
        send(packet().setStreamTrailer(DataStream.Trailer.newBuilder().setStreamId(streamId)
                .setReason(reason == null ? "" : reason).putAllAttributes(attributes == null ? Map.of() : attributes)));
    }

    private void sendChunk(byte[] data, int offset, int length) {
        send(packet().setStreamChunk(DataStream.Chunk.newBuilder().setStreamId(streamId)
                .setChunkIndex(nextChunkIndex).setContent(ByteString.copyFrom(data, offset, length))));
        nextChunkIndex++;
    }

    private DataPacket.Builder packet() {
        DataPacket.Builder packet = DataPacket.newBuilder().addAllDestinationIdentities(destinations);
        if (!senderIdentity.isEmpty()) {
            packet.setParticipantIdentity(senderIdentity);
        }
        return packet;
    }

    private void send(DataPacket.Builder packet) {
        long deadline = Awaits.deadline(SEND_TIMEOUT);
        session.awaitReliableBacklogBelow(MAX_BACKLOG, deadline);
        session.sendPacket(packet, true, deadline);
    }
}
