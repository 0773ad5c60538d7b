package io.lkworker.health;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One complete HTTP/1.1 response, serialized up front (health answers are small). Every response
 * closes its connection: probes and scrapers open one per request, and a server that never keeps a
 * connection open has nothing an idle client can hold on to.
 */
record HealthResponse(int status, String contentType, String body, String allow, boolean head) {

    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";

    static HealthResponse text(int status, String body, boolean head) {
        return new HealthResponse(status, TEXT, body, null, head);
    }

    ByteBuffer toBytes() {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder headers = new StringBuilder(160)
                .append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(content.length).append("\r\n")
                .append("Cache-Control: no-store\r\n");
        if (allow != null) {
            headers.append("Allow: ").append(allow).append("\r\n");
        }
        headers.append("Connection: close\r\n\r\n");
        byte[] top = headers.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(top.length + (head ? 0 : content.length));
        out.put(top);
        if (!head) {
            out.put(content);
        }
        return out.flip();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
