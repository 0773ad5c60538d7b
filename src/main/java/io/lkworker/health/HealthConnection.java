package io.lkworker.health;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One client connection of the {@link HealthServer}: reads a request head into a bounded buffer,
 * then writes one response and is done. Health server thread only.
 */
final class HealthConnection {

    /** Request line plus headers; a probe or scraper sends a few hundred bytes. */
    static final int MAX_HEAD_BYTES = 8 * 1024;

    /** The parsed request line. */
    record Request(String method, String path) {
    }

    private final SocketChannel channel;
    private final long acceptedNanos;
    private final ByteBuffer in = ByteBuffer.allocate(MAX_HEAD_BYTES);
    private ByteBuffer out;

    HealthConnection(SocketChannel channel, long acceptedNanos) {
        this.channel = channel;
        this.acceptedNanos = acceptedNanos;
    }

    SocketChannel channel() {
        return channel;
    }

    long acceptedNanos() {
        return acceptedNanos;
    }

    boolean responding() {
        return out != null;
    }

    /**
     * Reads what is available. Returns the request once its head is complete, null while more is
     * needed; throws when the peer closed early or the head is too large (the caller answers 431).
     */
    Request read() throws IOException {
        int n = channel.read(in);
        if (n < 0) {
            throw new IOException("closed by the client before a full request");
        }
        int end = headEnd();
        if (end < 0) {
            if (!in.hasRemaining()) {
                throw new HeadTooLarge();
            }
            return null;
        }
        String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
        String line = head.lines().findFirst().orElse("");
        String[] parts = line.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
            return new Request("", "");
        }
        String target = parts[1];
        int query = target.indexOf('?');
        return new Request(parts[0], query >= 0 ? target.substring(0, query) : target);
    }

    /** Index just past the blank line ending the head, or -1. Accepts bare LF line ends too. */
    private int headEnd() {
        byte[] b = in.array();
        for (int i = 0; i < in.position(); i++) {
            if (b[i] != '\n') {
                continue;
            }
            if (i + 1 < in.position() && b[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < in.position() && b[i + 1] == '\r' && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    void respond(HealthResponse response) {
        out = response.toBytes();
    }

    /** Writes what the socket takes; true once everything is written. */
    boolean write() throws IOException {
        channel.write(out);
        return !out.hasRemaining();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The request head did not fit in {@link #MAX_HEAD_BYTES}. */
    static final class HeadTooLarge extends IOException {
        HeadTooLarge() {
            super("request head larger than " + MAX_HEAD_BYTES + " bytes");
        }
    }
}
