package io.lkworker.rtc;

import io.lkworker.api.rtc.DataStreamException;
import io.lkworker.api.rtc.RoomException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One incoming data stream between the session thread, which puts its chunks in, and the handler's
 * thread, which takes them out.
 *
 * <p><b>Memory.</b> The SFU gives a receiver no way to slow a sender down, so the unread chunks are
 * bounded instead: by {@code maxUnread} for this stream and by the room's shared budget. A chunk that
 * would pass either bound is refused ({@link #offer} returns false) and the session fails the stream:
 * its reader then throws {@link DataStreamException.Reason#TOO_LARGE}, and its buffered chunks are freed.
 *
 * <p><b>Threads.</b> {@link #offer}, {@link #end}, {@link #fail} and the counters {@code received} are the
 * session thread's; {@link #take} and {@link #abandon} the reader's; the queue is shared under this
 * object's monitor.
 */
final class IncomingStream {

    final String id;
    final String senderIdentity;
    final OptionalLong totalLength;
    /** Bytes received so far (session thread): checked against {@link #totalLength}. */
    long received;

    private final long maxUnread;
    private final long roomMaxUnread;
    private final AtomicLong roomUnread;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private long unread;
    private boolean ended;
    private boolean abandoned;
    /** Whether a reader has started reading (a stream is read once). */
    private boolean claimed;
    private DataStreamException failure;
    /** The trailer's attributes, set before {@link #end}; null until then. */
    private volatile Map<String, String> trailerAttributes;

    IncomingStream(String id, String senderIdentity, OptionalLong totalLength, long maxUnread, long roomMaxUnread,
            AtomicLong roomUnread) {
        this.id = id;
        this.senderIdentity = senderIdentity;
        this.totalLength = totalLength;
        this.maxUnread = maxUnread;
        this.roomMaxUnread = roomMaxUnread;
        this.roomUnread = roomUnread;
    }

    /** Session thread: queues {@code chunk}; false if that would pass a memory bound (nothing queued). */
    synchronized boolean offer(byte[] chunk) {
        if (ended || abandoned) {
            return true;
        }
        if (unread + chunk.length > maxUnread || roomUnread.get() + chunk.length > roomMaxUnread) {
            return false;
        }
        unread += chunk.length;
        roomUnread.addAndGet(chunk.length);
        chunks.add(chunk);
        notifyAll();
        return true;
    }

    /** Whether the reader gave up on this stream (its handler returned). */
    synchronized boolean isAbandoned() {
        return abandoned;
    }

    /** Session thread: the stream ended normally; {@code attributes} are the trailer's. */
    synchronized void end(Map<String, String> attributes) {
        trailerAttributes = attributes;
        ended = true;
        notifyAll();
    }

    /** Session thread: the stream failed; what is still unread is dropped. */
    synchronized void fail(DataStreamException e) {
        if (ended) {
            return;
        }
        ended = true;
        failure = e;
        release();
        notifyAll();
    }

    /** Reader: the next chunk, waiting for it; null at the normal end. */
    synchronized byte[] take() {
        while (chunks.isEmpty() && !ended) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoomException("interrupted while reading data stream " + id, e);
            }
        }
        if (failure != null) {
            throw new DataStreamException(failure.reason(), failure.getMessage());
        }
        byte[] chunk = chunks.poll();
        if (chunk != null) {
            unread -= chunk.length;
            roomUnread.addAndGet(-chunk.length);
        }
        return chunk;
    }

    /** Reader: it wants nothing more; what is buffered is freed, what comes later is dropped. */
    synchronized void abandon() {
        abandoned = true;
        release();
    }

    /**
     * The header's attributes with the trailer's merged over them once the stream ended normally; null
     * while there is no trailer or it added nothing (the header's info stands as it is).
     */
    Map<String, String> attributesWithTrailer(Map<String, String> headerAttributes) {
        Map<String, String> trailer = trailerAttributes;
        if (trailer == null || trailer.isEmpty()) {
            return null;
        }
        Map<String, String> merged = new HashMap<>(headerAttributes);
        merged.putAll(trailer);
        return merged;
    }

    /** Reader: starts the one reading of this stream; {@code what} names it in the error of a second one. */
    synchronized void claim(String what) {
        if (claimed) {
            throw new IllegalStateException(what + " is already being read");
        }
        claimed = true;
    }

    /**
     * Reader: every chunk until the end, in one array; past {@code maxBytes} the stream is abandoned and
     * the reading fails with {@link DataStreamException.Reason#TOO_LARGE} ({@code what} names the stream,
     * {@code instead} says how to read it).
     */
    byte[] takeAll(long maxBytes, String what, String instead) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk;
        while ((chunk = take()) != null) {
            if (all.size() + (long) chunk.length > maxBytes) {
                abandon();
                throw new DataStreamException(DataStreamException.Reason.TOO_LARGE, what
                        + " is longer than the readAll limit of " + maxBytes + " bytes; " + instead);
            }
            all.write(chunk, 0, chunk.length);
        }
        return all.toByteArray();
    }

    private void release() {
        roomUnread.addAndGet(-unread);
        unread = 0;
        chunks.clear();
    }
}
