package io.lkworker.localserver.room;

/**
 * The highest reliable {@code DataPacket.sequence} accepted from one participant. A reliable packet
 * whose sequence is not above it is a replay (a resumed client resends what it is not sure arrived)
 * and is dropped, as livekit/livekit pkg/rtc/participant.go handleReceivedDataMessage does; packets
 * without a sequence (0: old clients, or the server's own) are always accepted. The value is what a
 * resume's {@code ReconnectResponse.last_message_seq} reports. Room thread only.
 */
final class ReliableSequence {

    private long last;

    /** True if the packet is new (and then it becomes the last accepted one). */
    boolean accept(int sequence) {
        long seq = Integer.toUnsignedLong(sequence);
        if (seq == 0) {
            return true;
        }
        if (seq <= last) {
            return false;
        }
        last = seq;
        return true;
    }

    /** The highest sequence accepted so far (0 before any). */
    int last() {
        return (int) last;
    }
}
