package io.lkworker.api.rtc;

import java.io.InputStream;
import java.util.Iterator;

/**
 * An incoming byte stream, given to a {@link ByteStreamHandler}. Iterate it to take the chunks as they
 * arrive, read it as an {@link #inputStream()}, or call {@link #readAll()}: one of them, once, from one
 * thread. Reading blocks until the next chunk arrives or the stream ends; an abnormal end (see
 * {@link TextStreamReader}) throws {@link DataStreamException} (wrapped in an {@code IOException} by
 * the input stream).
 */
public interface ByteStreamReader extends Iterable<byte[]> {

    /** The largest payload {@link #readAll()} collects: 16 MiB. */
    long DEFAULT_READ_ALL_LIMIT = 16L << 20;

    /** The header's info; once the stream ended normally, with the trailer's attributes merged in. */
    ByteStreamInfo info();

    /** The chunks as they arrive (each at most 15000 bytes from LiveKit's SDKs). */
    @Override
    Iterator<byte[]> iterator();

    /** The stream's bytes as an input stream (end of stream at the trailer). */
    InputStream inputStream();

    /** The whole payload, once the stream ended; at most {@link #DEFAULT_READ_ALL_LIMIT} bytes. */
    default byte[] readAll() {
        return readAll(DEFAULT_READ_ALL_LIMIT);
    }

    /**
     * The whole payload, once the stream ended.
     *
     * @throws DataStreamException if it is longer than {@code maxBytes} (the stream is then abandoned),
     *     or the stream ended abnormally
     */
    byte[] readAll(long maxBytes);
}
