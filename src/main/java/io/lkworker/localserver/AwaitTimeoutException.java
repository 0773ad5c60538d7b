package io.lkworker.localserver;

/** Thrown by the server's {@code await…} helpers when the awaited thing did not happen in time. */
public final class AwaitTimeoutException extends RuntimeException {

    public AwaitTimeoutException(String message) {
        super(message);
    }
}
