package io.lkworker.localserver.http;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One request routed to a {@link HttpHandler}, with the connection it arrived on. Handlers answer
 * through {@link HttpResponses} on {@link #out()}; a WebSocket endpoint takes the connection over
 * with {@link WebSocketConnection#accept}.
 */
public final class HttpExchange {

    private final long connectionId;
    private final HttpRequest request;
    private final String path;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    HttpExchange(long connectionId, HttpRequest request, String path, Socket socket, InputStream in,
            OutputStream out) {
        this.connectionId = connectionId;
        this.request = request;
        this.path = path;
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /** Numbers the server's TCP connections from 1, for logs and recordings. */
    public long connectionId() {
        return connectionId;
    }

    public HttpRequest request() {
        return request;
    }

    /** The path the request was routed by: without query, one leading "//" reduced to "/" as LiveKit does. */
    public String path() {
        return path;
    }

    /** Where the response goes (buffered; the {@link HttpResponses} writers flush). */
    public OutputStream out() {
        return out;
    }

    Socket socket() {
        return socket;
    }

    InputStream in() {
        return in;
    }
}
