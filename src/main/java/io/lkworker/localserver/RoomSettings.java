package io.lkworker.localserver;

import java.time.Duration;
import java.util.Objects;

/**
 * How rooms on the development server live (the real server's {@code room} settings).
 *
 * @param departureTimeout how long a room stays open after its last participant (other than agents) left (20 s)
 * @param emptyTimeout     how long a room nobody but agents joined stays open (5 min)
 */
public record RoomSettings(Duration departureTimeout, Duration emptyTimeout) {

    public RoomSettings {
        Objects.requireNonNull(departureTimeout, "departureTimeout");
        Objects.requireNonNull(emptyTimeout, "emptyTimeout");
        if (departureTimeout.isNegative() || emptyTimeout.isNegative()) {
            throw new IllegalArgumentException("room timeouts must not be negative");
        }
    }

    public static RoomSettings defaults() {
        return new RoomSettings(Duration.ofSeconds(20), Duration.ofMinutes(5));
    }
}
