package io.lkworker.ipc;

import java.io.IOException;

/** A frame that cannot be a message of ours: a bad length or bytes that do not parse. Fatal for the channel. */
public final class FrameException extends IOException {
    public FrameException(String message) {
        super(message);
    }

    public FrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
