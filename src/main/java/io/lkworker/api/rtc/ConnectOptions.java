package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.Objects;

/**
 * How to connect to a room.
 *
 * @param autoSubscribe which tracks to subscribe to on their own
 * @param timeout how long {@code connect} may take (signalling and both media transports)
 * @param reconnectTimeout how long the room may try to resume or rejoin after losing its connection
 *     before it gives up and disconnects; zero disables recovery (the first loss disconnects)
 */
public record ConnectOptions(AutoSubscribe autoSubscribe, Duration timeout, Duration reconnectTimeout) {

    /** The defaults of LiveKit's clients: subscribe to everything, give up after 15 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /**
     * About as long as LiveKit's clients keep trying (client-sdk-js {@code DefaultReconnectPolicy}: ten
     * attempts over ~45 s, each with up to 15 s to connect): long enough for a server node's drain or a
     * network change, short enough that a call which cannot come back ends and frees its job.
     */
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofSeconds(60);

    public ConnectOptions {
        Objects.requireNonNull(autoSubscribe, "autoSubscribe");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(reconnectTimeout, "reconnectTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (reconnectTimeout.isNegative()) {
            throw new IllegalArgumentException("reconnect timeout must not be negative, got " + reconnectTimeout);
        }
    }

    /** Options with the default reconnect timeout. */
    public ConnectOptions(AutoSubscribe autoSubscribe, Duration timeout) {
        this(autoSubscribe, timeout, DEFAULT_RECONNECT_TIMEOUT);
    }

    public static ConnectOptions defaults() {
        return new ConnectOptions(AutoSubscribe.ALL, DEFAULT_TIMEOUT, DEFAULT_RECONNECT_TIMEOUT);
    }

    public ConnectOptions withAutoSubscribe(AutoSubscribe value) {
        return new ConnectOptions(value, timeout, reconnectTimeout);
    }

    public ConnectOptions withTimeout(Duration value) {
        return new ConnectOptions(autoSubscribe, value, reconnectTimeout);
    }

    public ConnectOptions withReconnectTimeout(Duration value) {
        return new ConnectOptions(autoSubscribe, timeout, value);
    }
}
