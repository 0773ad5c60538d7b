package io.lkworker.localserver.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes plain HTTP/1.1 responses. Every non-upgrade response closes the connection afterwards
 * ({@code Connection: close}): the routes are one-shot and keep-alive would only add state.
 */
public final class HttpResponses {

    static final String TEXT = "text/plain; charset=utf-8";
    public static final String JSON = "application/json";
    public static final String PROTOBUF = "application/protobuf";

    private HttpResponses() {
    }

    public static void text(OutputStream out, int status, String body) throws IOException {
        write(out, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A response without body (no Content-Type), like Go's {@code w.WriteHeader(404)}. */
    public static void empty(OutputStream out, int status) throws IOException {
        write(out, status, null, new byte[0]);
    }

    public static void write(OutputStream out, int status, String contentType, byte[] body) throws IOException {
        write(out, status, contentType, body, Map.of());
    }

    /**
     * A text answer any web page may read ({@code Access-Control-Allow-Origin: *}), as LiveKit's
     * {@code /rtc/validate} gives: browser clients fetch it from their page's origin.
     */
    public static void textForAnyOrigin(OutputStream out, int status, String body) throws IOException {
        write(out, status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of("Access-Control-Allow-Origin", "*"));
    }

    private static void write(OutputStream out, int status, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        StringBuilder head = new StringBuilder(160)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** The 101 answer to a WebSocket upgrade: no subprotocol and no extensions, like LiveKit's upgrader. */
    static void switchingProtocols(OutputStream out, String acceptKey) throws IOException {
        String head = "HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + acceptKey + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"),
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"),
            Map.entry(504, "Gateway Timeout"));

    static String reason(int status) {
        return REASONS.getOrDefault(status, "Status " + status);
    }
}
