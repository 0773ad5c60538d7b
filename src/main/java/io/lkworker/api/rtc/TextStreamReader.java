package io.lkworker.api.rtc;

import java.util.Iterator;

/**
 * An incoming text stream, given to a {@link TextStreamHandler}. Iterate it to take the text piece by
 * piece as it arrives (each piece is one chunk, decoded; a character split across chunks is completed
 * by the next one), or call {@link #readAll()}. Either can be done once, from one thread.
 *
 * <p>Reading blocks until the next chunk arrives or the stream ends. A stream that ends abnormally
 * (the sender's trailer gave a reason, the sender left, fewer or more bytes than announced, this
 * reader fell too far behind, the room disconnected) makes the iterator or {@code readAll} throw a
 * {@link DataStreamException} saying which.
 */
public interface TextStreamReader extends Iterable<String> {

    /** The largest text {@link #readAll()} collects: 16 MiB of UTF-8. */
    long DEFAULT_READ_ALL_LIMIT = 16L << 20;

    /** The header's info; once the stream ended normally, with the trailer's attributes merged in. */
    TextStreamInfo info();

    /** The pieces of text, as they arrive; {@code next()} throws {@link DataStreamException} on an abnormal end. */
    @Override
    Iterator<String> iterator();

    /** The whole text, once the stream ended; at most {@link #DEFAULT_READ_ALL_LIMIT} bytes of UTF-8. */
    default String readAll() {
        return readAll(DEFAULT_READ_ALL_LIMIT);
    }

    /**
     * The whole text, once the stream ended.
     *
     * @throws DataStreamException if the stream carries more than {@code maxBytes} bytes of UTF-8
     *     (the stream is then abandoned), or ended abnormally
     */
    String readAll(long maxBytes);
}
