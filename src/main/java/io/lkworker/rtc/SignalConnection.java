package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signalling WebSocket of one room connection: binary protobuf frames, one {@code SignalRequest}
 * or {@code SignalResponse} each. Java-WebSocket's reader thread only decodes and hands messages to
 * the session's executor. {@code TCP_NODELAY} is on: signalling is many small frames in a row, which
 * Nagle's algorithm would hold back for the peer's delayed ACK (40 ms each).
 */
final class SignalConnection {

    private static final Logger log = LoggerFactory.getLogger(SignalConnection.class);
    private static final Pattern STATUS = Pattern.compile("Invalid status code received: (\\d{3})");

    interface Listener {
        void onMessage(SignalResponse message);

        /** The connection ended; not called for a connection that never opened. */
        void onClosed(String why);
    }

    private final Client client;
    private final Executor executor;
    private final Listener listener;
    private volatile boolean opened;
    private volatile boolean closing;
    private volatile Exception lastError;
    private volatile String closeReason = "";

    private final URI uri;
    private final String token;

    /** A connection not opened yet: messages go to {@code listener} on {@code executor}. */
    SignalConnection(URI uri, String token, Duration timeout, Executor executor, Listener listener) {
        this.uri = uri;
        this.token = token;
        this.executor = executor;
        this.listener = listener;
        this.client = new Client(uri, Map.of("Authorization", "Bearer " + token), (int) timeout.toMillis());
        client.setTcpNoDelay(true);
        client.setDaemon(true);
        // The protocol's own pings (ping_req every ping_interval) watch the connection.
        client.setConnectionLostTimeout(0);
    }

    /**
     * Why a connection could not be opened; {@code httpStatus} is the server's refusal (401, 404, ...)
     * or 0 when the server was not reached or did not answer in time. Recovery gives up on 401/403,
     * as LiveKit's clients do (the token is no longer accepted), and retries otherwise.
     */
    static final class OpenFailure extends RoomException {
        final int httpStatus;

        OpenFailure(String message, int httpStatus) {
            super(message);
            this.httpStatus = httpStatus;
        }
    }

    /** Opens the connection, or throws an {@link OpenFailure} saying why it could not (the server's words when it refused). */
    void open(Duration timeout) {
        boolean ok;
        try {
            ok = client.connectBlocking(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
            client.close();
            throw new OpenFailure("interrupted while connecting to " + hostPort(uri), 0);
        }
        if (!ok || !opened) {
            boolean silent = lastError == null && closeReason.isEmpty();
            closing = true;
            client.close();
            if (silent) {
                // Nothing came back at all: asking /rtc/validate of a server that does not answer would
                // only spend the caller's time again.
                throw new OpenFailure("timed out connecting to " + hostPort(uri) + " after " + timeout.toMillis() + " ms", 0);
            }
            throw failure(uri, token, timeout);
        }
    }

    boolean send(SignalRequest request) {
        if (!client.isOpen()) {
            return false;
        }
        try {
            client.send(request.toByteArray());
            return true;
        } catch (RuntimeException e) {
            log.debug("signal send failed: {}", e.toString());
            return false;
        }
    }

    boolean isOpen() {
        return client.isOpen();
    }

    /** Closes with a normal close frame; {@link Listener#onClosed} is not called for it. */
    void close() {
        closing = true;
        client.close(1000, "client leaving");
    }

    /** Drops the connection without a close handshake (a resume replaces it); no {@link Listener#onClosed}. */
    void abort() {
        closing = true;
        try {
            client.closeConnection(1006, "replaced");
        } catch (RuntimeException e) {
            log.debug("aborting the signalling connection: {}", e.toString());
        }
    }

    private OpenFailure failure(URI uri, String token, Duration timeout) {
        Matcher m = STATUS.matcher(closeReason);
        Exception error = lastError;
        if (m.find() || error == null || error.getMessage() != null && STATUS.matcher(error.getMessage()).find()) {
            Refusal refusal = validate(uri, token, timeout);
            if (refusal != null && notLiveKit(refusal)) {
                return new OpenFailure(hostPort(uri) + " answered HTTP " + refusal.status() + " at "
                        + SignalUrl.validate(uri).getPath() + ": is this a LiveKit server? (" + refusal.text() + ")",
                        refusal.status());
            }
            if (refusal != null) {
                return new OpenFailure("the LiveKit server refused to join the room: " + refusal.text(), refusal.status());
            }
        }
        Throwable t = error;
        while (t != null && t.getCause() != null && !(t instanceof ConnectException) && !(t instanceof UnknownHostException)) {
            t = t.getCause();
        }
        if (t instanceof ConnectException) {
            return new OpenFailure("connection refused by " + hostPort(uri) + " (is the LiveKit server running?)", 0);
        }
        if (t instanceof UnknownHostException) {
            return new OpenFailure("cannot resolve host " + uri.getHost(), 0);
        }
        if (error == null && closeReason.isEmpty()) {
            return new OpenFailure("timed out connecting to " + hostPort(uri) + " after " + timeout.toMillis() + " ms", 0);
        }
        return new OpenFailure("cannot open the signalling connection to " + hostPort(uri) + ": "
                + (error != null ? error.toString() : closeReason), 0);
    }

    private record Refusal(int status, String text, String body) {
    }

    /**
     * A LiveKit server has /rtc/validate and answers a refusal there in words (401 with the token's fault,
     * 404 "requested room does not exist" when rooms are not auto-created: livekit/livekit
     * pkg/service/rtcservice.go); an unknown path, an HTML page or nothing at all is another server.
     */
    private static boolean notLiveKit(Refusal r) {
        if (r.status() != 404 && r.status() != 405) {
            return false;
        }
        String body = r.body().toLowerCase(java.util.Locale.ROOT);
        return body.isEmpty() || body.startsWith("<") || !body.contains("room");
    }

    /** The server's own words for a refused join: GET /rtc/validate, as LiveKit's JS client does. */
    private static Refusal validate(URI uri, String token, Duration timeout) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(SignalUrl.validate(uri))
                    .header("Authorization", "Bearer " + token).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return null;
            }
            String body = response.body() == null ? "" : response.body().strip();
            if (body.length() > 300) {
                body = body.substring(0, 300) + "...";
            }
            return new Refusal(response.statusCode(), "HTTP " + response.statusCode() + (body.isEmpty() ? "" : ": " + body),
                    body);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String hostPort(URI uri) {
        return uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : "wss".equals(uri.getScheme()) ? 443 : 80);
    }

    private final class Client extends WebSocketClient {
        Client(URI uri, Map<String, String> headers, int connectTimeoutMillis) {
            super(uri, new Draft_6455(), headers, connectTimeoutMillis);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            opened = true;
        }

        @Override
        public void onMessage(String message) {
            log.debug("ignoring a text signalling frame ({} chars)", message.length());
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            SignalResponse message;
            try {
                message = SignalResponse.parseFrom(bytes);
            } catch (Exception e) {
                log.warn("ignoring an undecodable signalling frame ({} bytes): {}", bytes.remaining(), e.getMessage());
                return;
            }
            executor.execute(() -> listener.onMessage(message));
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            closeReason = reason == null ? "" : reason;
            if (opened && !closing) {
                String why = code == 1006 || code == -1 ? "connection lost" : "closed by the server (" + code
                        + (closeReason.isEmpty() ? "" : " " + closeReason) + ")";
                executor.execute(() -> listener.onClosed(why));
            }
        }

        @Override
        public void onError(Exception ex) {
            lastError = ex;
        }
    }
}
