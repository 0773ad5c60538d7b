package io.lkworker.serverlink;

import io.lkworker.loop.EventLoop;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import livekit.LivekitAgent;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection to {@code /agent}. Java-WebSocket's reader thread only decodes frames and
 * posts them to the event loop; every callback of {@link Listener} runs on the loop thread. A new
 * instance (with a freshly minted token) is used for every attempt.
 */
final class LiveKitSocket {

    private static final Logger log = LoggerFactory.getLogger(LiveKitSocket.class);
    /**
     * Client-side keepalive: Java-WebSocket pings every this many seconds and drops a connection whose
     * pongs stop, like the 30 s {@code HEARTBEAT_INTERVAL} of livekit/agents {@code worker.py}; it catches a dead
     * peer that never sends FIN.
     */
    private static final int CONNECTION_LOST_TIMEOUT_SECONDS = 30;
    /**
     * Largest server message accepted (per frame and per fragmented message). The server's messages
     * (offers, assignments with a room snapshot and one participant) are a few KB; the server itself
     * refuses worker messages over 2 MiB. A larger one closes the connection (1009) instead of being
     * buffered, whatever its size.
     */
    static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    /** TCP connect bound: a black-holed address must fail and be retried, not hang the worker. */
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    interface Listener {
        void onOpen(LiveKitSocket socket);

        void onMessage(LiveKitSocket socket, LivekitAgent.ServerMessage message);

        /** The connection is over (or never opened). {@code failure} says why. */
        void onClosed(LiveKitSocket socket, ConnectionFailure failure);
    }

    private final EventLoop loop;
    private final Listener listener;
    private final String hostPort;
    private final Client client;
    /** Written by the reader thread before onClose; read there too. */
    private volatile Exception lastError;
    private volatile boolean opened;

    LiveKitSocket(URI endpoint, String token, EventLoop loop, Listener listener) {
        this.loop = loop;
        this.listener = listener;
        this.hostPort = endpoint.getHost() + ":" + (endpoint.getPort() > 0 ? endpoint.getPort()
                : "wss".equals(endpoint.getScheme()) ? 443 : 80);
        this.client = new Client(endpoint, Map.of("Authorization", "Bearer " + token));
        client.setConnectionLostTimeout(CONNECTION_LOST_TIMEOUT_SECONDS);
        client.setDaemon(true);
        // Java-WebSocket leaves Nagle's algorithm on. The worker writes small frames back to back (a
        // status update, then an availability answer or JS_RUNNING): the second waited for the server's
        // delayed ACK, 40 ms on Linux. Measured against a Node ws server: answer p50 46.5 -> 5.4 ms.
        client.setTcpNoDelay(true);
    }

    void connect() {
        client.connect();
    }

    /** Sends one frame. Any thread. False when the socket is not open (the caller keeps the message). */
    boolean send(LivekitAgent.WorkerMessage message) {
        if (!client.isOpen()) {
            return false;
        }
        try {
            client.send(message.toByteArray());
            return true;
        } catch (RuntimeException e) {
            log.debug("send failed: {}", e.toString());
            return false;
        }
    }

    /** Whether the connected socket has TCP_NODELAY set (tests); false before it is connected. */
    boolean tcpNoDelay() {
        try {
            return client.getSocket() != null && client.getSocket().getTcpNoDelay();
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    /** Closes with a normal close frame; {@link Listener#onClosed} follows. */
    void close() {
        client.close(1000, "worker closing");
    }

    /** Drops the TCP connection without a close frame (tests and timeouts). */
    void abort() {
        client.closeConnection(1006, "aborted by worker");
    }

    private final class Client extends WebSocketClient {
        Client(URI uri, Map<String, String> headers) {
            super(uri, new Draft_6455(java.util.List.of(), java.util.List.of(new org.java_websocket.protocols.Protocol("")),
                    MAX_MESSAGE_BYTES), headers, CONNECT_TIMEOUT_MILLIS);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            opened = true;
            loop.execute(() -> listener.onOpen(LiveKitSocket.this));
        }

        @Override
        public void onMessage(String message) {
            log.debug("ignoring a text frame from the server ({} chars)", message.length());
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            LivekitAgent.ServerMessage message;
            try {
                message = LivekitAgent.ServerMessage.parseFrom(bytes);
            } catch (Exception e) {
                log.warn("ignoring an undecodable frame from the server ({} bytes): {}", bytes.remaining(),
                        e.getMessage());
                return;
            }
            loop.execute(() -> listener.onMessage(LiveKitSocket.this, message));
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            Exception error = lastError;
            ConnectionFailure failure = error != null && !opened
                    ? ConnectionFailure.fromException(error, hostPort)
                    : ConnectionFailure.fromClose(code, reason == null ? "" : reason, opened);
            loop.execute(() -> listener.onClosed(LiveKitSocket.this, failure));
        }

        @Override
        public void onError(Exception ex) {
            lastError = ex;
        }
    }
}
