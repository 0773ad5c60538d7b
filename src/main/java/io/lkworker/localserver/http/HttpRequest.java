package io.lkworker.localserver.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One parsed HTTP/1.1 request: request line, headers (names case-insensitive) and a
 * Content-Length body. Only what the LiveKit routes need; anything we cannot parse is a
 * {@link BadRequestException} that the caller answers with 400.
 */
public final class HttpRequest {

    /** Header lines longer than this are refused; real upgrade requests stay far below. */
    static final int MAX_LINE_BYTES = 16 * 1024;
    static final int MAX_HEADERS = 100;
    /** Same bound as the server's signal message limit; Twirp bodies are tiny. */
    static final int MAX_BODY_BYTES = 2 << 20;

    private final String method;
    private final String target;
    private final String path;
    private final Map<String, String> query;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    private HttpRequest(String method, String target, Map<String, List<String>> headers, byte[] body) {
        this.method = method;
        this.target = target;
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        this.path = rawPath;
        this.query = q < 0 ? Map.of() : parseQuery(target.substring(q + 1));
        this.headers = headers;
        this.body = body;
    }

    /**
     * Reads one request from {@code in} ({@code out} only for a 100 Continue). Returns empty when the peer closed the connection before
     * sending anything (a health checker that only opens a socket, for example).
     */
    static Optional<HttpRequest> read(InputStream in, OutputStream out) throws IOException {
        String requestLine = readLine(in, true);
        if (requestLine == null) {
            return Optional.empty();
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw new BadRequestException("malformed request line");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int count = 0;; count++) {
            if (count > MAX_HEADERS) {
                throw new BadRequestException("too many headers");
            }
            String line = readLine(in, false);
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadRequestException("malformed header line");
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        List<String> expect = headers.get("expect");
        if (expect != null && expect.get(0).equalsIgnoreCase("100-continue") && headers.containsKey("content-length")) {
            // curl asks before sending large bodies; without this it waits a second first.
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = readBody(in, headers);
        return Optional.of(new HttpRequest(parts[0], parts[1], headers, body));
    }

    private static byte[] readBody(InputStream in, Map<String, List<String>> headers) throws IOException {
        if (headers.containsKey("transfer-encoding")) {
            // No client of these routes streams its body; refusing keeps the parser small.
            throw new BadRequestException("chunked request bodies are not supported");
        }
        List<String> lengths = headers.get("content-length");
        if (lengths == null) {
            return new byte[0];
        }
        long length;
        try {
            length = Long.parseLong(lengths.get(0));
        } catch (NumberFormatException e) {
            throw new BadRequestException("malformed Content-Length");
        }
        if (length < 0 || length > MAX_BODY_BYTES) {
            throw new BadRequestException("request body too large");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("connection closed inside the request body");
        }
        return body;
    }

    /** Reads a CRLF- (or LF-) terminated ISO-8859-1 line; null on EOF before the first byte if allowed. */
    private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowed && line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside the request head");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new BadRequestException("request line or header too long");
            }
            line.write(b);
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                // Like Go's FormValue: the first value of a repeated key wins.
                params.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // malformed escape: skip the pair, as Go's ParseQuery skips what it cannot decode
            }
        }
        return Collections.unmodifiableMap(params);
    }

    public String method() {
        return method;
    }

    String target() {
        return target;
    }

    /** The path without query string, exactly as sent. */
    String path() {
        return path;
    }

    public Optional<String> queryParam(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /** The first value of a header, by case-insensitive name. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** True when a comma-separated header (Connection, Upgrade) contains {@code token}, ignoring case. */
    public boolean headerHasToken(String name, String token) {
        List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        for (String value : values) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    public byte[] body() {
        return body;
    }

    /** The request cannot be understood; answered with 400. */
    static final class BadRequestException extends IOException {
        BadRequestException(String message) {
            super(message);
        }
    }
}
