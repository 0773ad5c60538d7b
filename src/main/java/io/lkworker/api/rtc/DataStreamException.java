package io.lkworker.api.rtc;

/** An incoming data stream could not be read to its end; {@link #reason()} says why. */
public class DataStreamException extends RoomException {

    /** Why a stream failed (names as {@code livekit/client-sdk-js src/room/errors.ts DataStreamErrorReason}). */
    public enum Reason {
        /** The sender ended it with a reason in its trailer, left the room, or the room disconnected. */
        ABNORMAL_END,
        /** It ended with fewer bytes than its header announced. */
        INCOMPLETE,
        /** More bytes arrived than its header announced. */
        LENGTH_EXCEEDED,
        /** The reader fell too far behind, or {@code readAll} hit its limit: see the message. */
        TOO_LARGE,
        /** A text chunk was not valid UTF-8. */
        DECODE_FAILED,
        /** The sender used a feature this client does not speak (compressed streams). */
        UNSUPPORTED
    }

    private final Reason reason;

    public DataStreamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
