package io.lkworker.localserver;

import java.time.Instant;

/**
 * One HTTP request to {@code /agent} and how it was answered: 101 for an accepted upgrade, else
 * the refusal status with its body in {@code detail}. Tests count reconnect attempts and 401s here.
 */
public record ConnectionAttempt(long connectionId, Instant at, String path, int status, String detail) {

    public boolean upgraded() {
        return status == 101;
    }
}
