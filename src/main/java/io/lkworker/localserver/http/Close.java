package io.lkworker.localserver.http;

/**
 * How the server closes a worker connection (the real server: livekit/livekit
 * {@code pkg/service/agentservice.go} {@code AgentHandler.HandleConnection} and {@code DrainConnections}).
 */
public enum Close {
    /** Plain TCP close without a close frame: what the real server does in every path (client sees 1006). */
    ABRUPT(0),
    /** Close frame 1000, then the closing handshake. */
    NORMAL(1000),
    /** Close frame 1001, then the closing handshake. */
    GOING_AWAY(1001);

    private final int code;

    Close(int code) {
        this.code = code;
    }

    /** The WebSocket close code sent, or 0 for {@link #ABRUPT}. */
    public int code() {
        return code;
    }
}
