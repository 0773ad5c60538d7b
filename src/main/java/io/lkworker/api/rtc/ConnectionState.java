package io.lkworker.api.rtc;

/**
 * Where a room connection is. {@code RECONNECTING} means the connection to the server was lost (or
 * the server asked the client to move) and the room is resuming or rejoining on its own; it comes back
 * to {@code CONNECTED}, or ends {@code DISCONNECTED} when recovery fails. A disconnected room stays
 * disconnected: connect again for a new one.
 */
public enum ConnectionState {
    CONNECTING,
    CONNECTED,
    RECONNECTING,
    DISCONNECTED
}
