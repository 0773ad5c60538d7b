package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.Objects;

/**
 * How to connect to a room.
 *
 * @param autoSubscribe which tracks to subscribe to on their own
 * @param timeout how long {@code connect} may take (signalling and both media transports)
 */
public record ConnectOptions(AutoSubscribe autoSubscribe, Duration timeout) {

    /** The defaults of LiveKit's clients: subscribe to everything, give up after 15 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public ConnectOptions {
        Objects.requireNonNull(autoSubscribe, "autoSubscribe");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    public static ConnectOptions defaults() {
        return new ConnectOptions(AutoSubscribe.ALL, DEFAULT_TIMEOUT);
    }

    public ConnectOptions withAutoSubscribe(AutoSubscribe value) {
        return new ConnectOptions(value, timeout);
    }

    public ConnectOptions withTimeout(Duration value) {
        return new ConnectOptions(autoSubscribe, value);
    }
}
