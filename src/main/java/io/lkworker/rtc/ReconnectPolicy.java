package io.lkworker.rtc;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When the room tries again after losing its connection, and for how long. The delays are LiveKit's
 * (client-sdk-js src/room/DefaultReconnectPolicy.ts): the first attempt at once, then 300 ms, 1.2 s,
 * 2.7 s, 4.8 s and 7 s, with up to 1 s of jitter from the third attempt on, so a fleet of agents cut
 * off together does not return together. A server's {@code Leave{RESUME|RECONNECT}} is answered at
 * once. Unlike the JS client's ten attempts, the bound is a time budget
 * ({@code ConnectOptions.reconnectTimeout}): an agent cares about how long a caller hears nothing.
 *
 * <p>Each attempt has its own bounds: {@link #SIGNAL_TIMEOUT} to open the WebSocket and as long again
 * for the server's first answer (rust-sdks livekit-api/src/signal_client/mod.rs
 * {@code SIGNAL_CONNECT_TIMEOUT}, {@code JOIN_RESPONSE_TIMEOUT}: 5 s each), and {@link #MEDIA_TIMEOUT}
 * for both media transports to be connected again (rust-sdks livekit/src/rtc_engine/rtc_session.rs
 * {@code ICE_CONNECT_TIMEOUT}: 15 s).
 */
record ReconnectPolicy(Duration budget) {

    static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(15);
    private static final long[] DELAYS_MS = {0, 300, 1200, 2700, 4800};
    private static final long LAST_DELAY_MS = 7000;
    private static final long JITTER_MS = 1000;

    /** The wait before attempt {@code n} (0-based) after a loss. */
    Duration delayBefore(int n) {
        long base = n < DELAYS_MS.length ? DELAYS_MS[n] : LAST_DELAY_MS;
        long jitter = n >= 2 ? ThreadLocalRandom.current().nextLong(JITTER_MS + 1) : 0;
        return Duration.ofMillis(base + jitter);
    }

    boolean enabled() {
        return !budget.isZero();
    }
}
