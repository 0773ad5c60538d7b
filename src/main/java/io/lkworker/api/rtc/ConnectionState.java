package io.lkworker.api.rtc;

/**
 * Where a room connection is. A disconnected room stays disconnected: connect again for a new one.
 * A room goes {@code CONNECTING -> CONNECTED}, then possibly back and forth between
 * {@code CONNECTED} and {@code RECONNECTING}, and ends {@code DISCONNECTED}.
 */
public enum ConnectionState {
    /** {@code connect()} has not finished joining the room yet. */
    CONNECTING,
    /** Joined; signalling and media are up. */
    CONNECTED,
    /**
     * The connection to the server was lost, or the server asked the client to move, and the room is
     * trying to resume or reconnect (see {@link RoomListener#onReconnecting()}). Tracks keep their
     * state and the room object stays usable, but audio may pause and sending data may fail until it
     * is {@code CONNECTED} again ({@link RoomListener#onReconnected()}), or {@code DISCONNECTED} if it
     * gives up.
     */
    RECONNECTING,
    /** Left the room or lost it for good (see {@link RoomListener#onDisconnected(String)}). Final. */
    DISCONNECTED
}
