package io.lkworker.api.rtc;

/** Where a room connection is. A disconnected room stays disconnected: connect again for a new one. */
public enum ConnectionState {
    CONNECTING,
    CONNECTED,
    DISCONNECTED
}
