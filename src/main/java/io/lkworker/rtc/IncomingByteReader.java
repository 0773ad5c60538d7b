package io.lkworker.rtc;

import io.lkworker.api.rtc.ByteStreamInfo;
import io.lkworker.api.rtc.ByteStreamReader;
import io.lkworker.api.rtc.DataStreamException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/** The reader of an incoming byte stream. One reading, one thread. */
final class IncomingByteReader implements ByteStreamReader {

    private final IncomingStream stream;
    private final ByteStreamInfo header;

    IncomingByteReader(IncomingStream stream, ByteStreamInfo header) {
        this.stream = stream;
        this.header = header;
    }

    @Override
    public ByteStreamInfo info() {
        Map<String, String> merged = stream.attributesWithTrailer(header.attributes());
        return merged == null ? header : header.withAttributes(merged);
    }

    @Override
    public Iterator<byte[]> iterator() {
        start();
        return new Iterator<>() {
            private byte[] next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    next = stream.take();
                    done = next == null;
                }
                return next != null;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("byte stream " + header.id() + " has ended");
                }
                byte[] chunk = next;
                next = null;
                return chunk;
            }
        };
    }

    @Override
    public InputStream inputStream() {
        Iterator<byte[]> chunks = iterator();
        return new InputStream() {
            private byte[] current = new byte[0];
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                try {
                    while (at == current.length) {
                        if (!chunks.hasNext()) {
                            return -1;
                        }
                        current = chunks.next();
                        at = 0;
                    }
                } catch (DataStreamException e) {
                    throw new IOException(e.getMessage(), e);
                }
                int n = Math.min(len, current.length - at);
                System.arraycopy(current, at, b, off, n);
                at += n;
                return n;
            }

            @Override
            public void close() {
                stream.abandon();
            }
        };
    }

    @Override
    public byte[] readAll(long maxBytes) {
        start();
        return stream.takeAll(maxBytes, "byte stream " + header.id(), "read it chunk by chunk");
    }

    private void start() {
        stream.claim("byte stream " + header.id());
    }

    @Override
    public String toString() {
        return "ByteStreamReader[" + header.id() + " " + header.topic() + "]";
    }
}
