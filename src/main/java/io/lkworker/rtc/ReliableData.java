package io.lkworker.rtc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Numbering of this client's reliable data packets, and the recent ones kept for a resume: the server
 * answers a resume with the last sequence it accepted ({@code ReconnectResponse.last_message_seq}) and
 * the client sends again what came after (client-sdk-js {@code ReliableDataChannel.replay}; the server
 * drops what it already has, livekit/livekit pkg/rtc/participant.go {@code handleReceivedDataMessage}).
 * A full reconnect is a new participant: numbering starts over at 1 and nothing is replayed.
 *
 * <p>Kept packets are bounded by {@link #MAX_KEPT_BYTES}: a replay covers the last few seconds of
 * traffic, which is what a resume loses; older packets reached the server or are lost with the
 * connection either way. Session thread only.
 */
final class ReliableData {

    /** 4 MiB: over a second of a busy data channel, a few hundred chat messages. */
    static final long MAX_KEPT_BYTES = 4L << 20;

    private record Sent(int sequence, byte[] packet) {
    }

    private final ArrayDeque<Sent> kept = new ArrayDeque<>();
    private long keptBytes;
    private int sequence;

    int nextSequence() {
        return ++sequence;
    }

    void sent(int seq, byte[] packet) {
        kept.add(new Sent(seq, packet));
        keptBytes += packet.length;
        while (keptBytes > MAX_KEPT_BYTES && !kept.isEmpty()) {
            keptBytes -= kept.poll().packet().length;
        }
    }

    /** Packets after {@code lastAccepted}, oldest first; the kept ones up to it are forgotten. */
    List<byte[]> after(int lastAccepted) {
        while (!kept.isEmpty() && kept.peek().sequence() <= lastAccepted) {
            keptBytes -= kept.poll().packet().length;
        }
        List<byte[]> out = new ArrayList<>();
        kept.forEach(s -> out.add(s.packet()));
        return out;
    }

    /** The oldest sequence still kept, or -1. */
    int oldestKept() {
        return kept.isEmpty() ? -1 : kept.peek().sequence();
    }

    /** A new session: numbering from 1, nothing to replay. */
    void reset() {
        kept.clear();
        keptBytes = 0;
        sequence = 0;
    }
}
