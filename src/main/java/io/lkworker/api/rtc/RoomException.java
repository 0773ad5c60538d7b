package io.lkworker.api.rtc;

/** A room operation failed: could not connect, not connected any more, or refused by the server. */
public class RoomException extends RuntimeException {

    public RoomException(String message) {
        super(message);
    }

    public RoomException(String message, Throwable cause) {
        super(message, cause);
    }
}
