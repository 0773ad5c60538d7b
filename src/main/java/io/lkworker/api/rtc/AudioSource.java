package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a {@link LocalAudioTrack}'s audio comes from: give it frames with {@link #captureFrame}
 * and, once the track is published, it is sent in real time, 10 ms at a time.
 *
 * <p>Like LiveKit's SDKs, capturing is paced by back-pressure: the source queues up to its queue
 * size (1 s by default) and {@code captureFrame} blocks while the queue is full. So an agent can
 * produce audio as fast as it likes (a text-to-speech stream, a file) and the call sets the pace. When
 * nothing is queued, silence is sent. Frames must have this source's sample rate and channel count.
 *
 * <p>Back-pressure only makes sense while something drains the queue, so a capture never waits for
 * ever: the source knows whether its track is published (the room client tells it, through
 * {@link #markPublished()} and {@link #markUnpublished(String)}). Before the track is published,
 * audio is queued while there is room (it is sent first once the track is published) and a capture
 * that does not fit throws {@link IllegalStateException} at once instead of blocking. When the track
 * stops being published (unpublished, or the room is gone), blocked captures are woken and throw,
 * saying why, the queued audio is dropped, and {@link #waitForPlayout()} returns. The source may be
 * published again afterwards. While the room reconnects the track stays published, so captures keep
 * blocking until it sends again. A source feeds one published track at a time.
 */
public final class AudioSource implements AutoCloseable {

    public static final int DEFAULT_QUEUE_MS = 1000;

    /** Why a new source's captures cannot wait for room: nothing drains its queue yet. */
    private static final String NOT_PUBLISHED_YET = "not published yet";

    private final int sampleRate;
    private final int channels;
    private final int queueSizeMs;
    private final short[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int head;
    private int size;
    private boolean closed;
    /** Whether the track is published, so that something drains the queue every 10 ms. */
    private boolean published;
    /** Why the track is not published, or was last not published, for the exceptions. */
    private String unpublishedReason = NOT_PUBLISHED_YET;
    /**
     * Counts {@link #markUnpublished} calls, so a capture or playout wait that was blocked when the
     * track stopped being published fails even if it was published again before the waiter woke.
     */
    private long unpublishings;

    public AudioSource(int sampleRate, int channels) {
        this(sampleRate, channels, DEFAULT_QUEUE_MS);
    }

    /**
     * @param sampleRate samples per second per channel; a multiple of 100 (8000, 16000, 24000, 48000, ...)
     * @param channels 1 or 2
     * @param queueSizeMs how much audio may wait to be sent before {@code captureFrame} blocks (at least 10)
     */
    public AudioSource(int sampleRate, int channels, int queueSizeMs) {
        if (sampleRate <= 0 || sampleRate % 100 != 0) {
            throw new IllegalArgumentException("sample rate must be a positive multiple of 100, got " + sampleRate);
        }
        if (channels < 1 || channels > 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, got " + channels);
        }
        if (queueSizeMs < 10) {
            throw new IllegalArgumentException("queue size must be at least 10 ms, got " + queueSizeMs);
        }
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.queueSizeMs = queueSizeMs;
        this.ring = new short[(int) ((long) sampleRate * channels * queueSizeMs / 1000)];
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /**
     * Queues {@code frame} for sending. While the track is published, blocks while the queue has no
     * room for it (a frame larger than the whole queue waits until the queue is empty, then is queued
     * in parts as it drains). While it is not published, queues the frame if it fits and otherwise
     * throws at once: nothing would make room.
     *
     * @throws IllegalArgumentException if the frame's rate or channel count differs from this source's
     * @throws IllegalStateException if the source is closed; if the track is not published and the
     *     frame does not fit in the queue (nothing of it is queued then); or if the track stopped being
     *     published while this call waited (the message ends with the reason, such as
     *     {@code track unpublished} or {@code room disconnected (SIGNAL_CLOSE)}; part of a frame larger
     *     than the queue may have been queued, and was dropped with the rest)
     */
    public void captureFrame(AudioFrame frame) throws InterruptedException {
        if (frame.sampleRate() != sampleRate || frame.channels() != channels) {
            throw new IllegalArgumentException("frame is " + frame.sampleRate() + " Hz / " + frame.channels()
                    + " ch; this source takes " + sampleRate + " Hz / " + channels + " ch");
        }
        short[] data = frame.data();
        int total = frame.samplesPerChannel() * channels;
        int offset = 0;
        lock.lockInterruptibly();
        try {
            long unpublishingsAtStart = unpublishings;
            if (closed) {
                throw new IllegalStateException("audio source is closed");
            }
            if (!published && total > ring.length - size) {
                throw notPublishedAndFull();
            }
            while (offset < total) {
                int room;
                while ((room = ring.length - size) < Math.min(total - offset, ring.length) && !closed
                        && unpublishings == unpublishingsAtStart) {
                    if (!published) { // cannot happen for a frame that fit above; a guard against waiting for ever
                        throw notPublishedAndFull();
                    }
                    changed.await();
                }
                if (closed) {
                    throw new IllegalStateException("audio source is closed");
                }
                if (unpublishings != unpublishingsAtStart) {
                    // markUnpublished emptied the queue, so there is room now: fail all the same, as the
                    // caller waited for a track that is gone.
                    throw new IllegalStateException("captureFrame gave up: the audio track stopped being "
                            + "published while it waited for room in the queue: " + unpublishedReason);
                }
                int n = Math.min(room, total - offset);
                for (int i = 0; i < n; i++) {
                    ring[(head + size + i) % ring.length] = data[offset + i];
                }
                size += n;
                offset += n;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private IllegalStateException notPublishedAndFull() {
        return new IllegalStateException("audio source queue (" + queueSizeMs + " ms) is full and its track is "
                + "not published, so nothing will make room (publish the track first): " + unpublishedReason);
    }

    /** How much audio waits to be sent. */
    public Duration queuedDuration() {
        lock.lock();
        try {
            return Duration.ofNanos(size / channels * 1_000_000_000L / sampleRate);
        } finally {
            lock.unlock();
        }
    }

    /** Drops everything queued (an agent interrupted while speaking). */
    public void clearQueue() {
        lock.lock();
        try {
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until everything queued has been sent, or the source is closed, or the track is not
     * published. Returns at once when the track is not published (never published yet, or
     * unpublished): nothing would send the queued audio; check {@link #queuedDuration()} to tell
     * whether it was all sent. Returns too when the track stops being published while this waits (the
     * queued audio is then dropped, unsent).
     */
    public void waitForPlayout() throws InterruptedException {
        awaitPlayout(Long.MAX_VALUE, false);
    }

    /**
     * Like {@link #waitForPlayout()} with a bound. Returns true once nothing is queued (or the source
     * is closed); false if audio was still queued when the time ran out, if the track is not
     * published while audio is queued (at once), or if it stopped being published while this waited
     * (the audio queued then was dropped, not sent).
     */
    public boolean waitForPlayout(Duration timeout) throws InterruptedException {
        return awaitPlayout(timeout.toNanos(), true);
    }

    private boolean awaitPlayout(long nanos, boolean timed) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long unpublishingsAtStart = unpublishings;
            while (size > 0 && !closed) {
                if (!published || unpublishings != unpublishingsAtStart || (timed && nanos <= 0)) {
                    return false;
                }
                if (timed) {
                    nanos = changed.awaitNanos(nanos);
                } else {
                    changed.await();
                }
            }
            // Emptied by markUnpublished (dropped, not sent) rather than by sending:
            return unpublishings == unpublishingsAtStart;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the room client when this source's track is published (its audio is read every
     * 10 ms from now on); agents do not call it. Captures block for room again, as back-pressure.
     */
    public void markPublished() {
        lock.lock();
        try {
            published = true; // unpublishedReason stays: a capture that waited across an unpublishing reports it
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the room client when this source's track stops being published ({@code reason}:
     * {@code "track unpublished"}, {@code "room disconnected (SIGNAL_CLOSE)"}, ...); agents do not call
     * it. Wakes every blocked {@link #captureFrame}, which throws {@link IllegalStateException} ending
     * with {@code reason}, and every {@link #waitForPlayout()}. Queued audio is dropped: nothing will
     * send it, and if the track is published again it should not start with stale speech. Until the
     * track is published again, a capture that does not fit throws at once with {@code reason}.
     */
    public void markUnpublished(String reason) {
        lock.lock();
        try {
            published = false;
            unpublishedReason = reason == null || reason.isBlank() ? "track unpublished" : reason;
            unpublishings++;
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code into.length} queued samples (interleaved) into {@code into}, without
     * blocking, and returns how many. The publishing track calls this every 10 ms; agents do not.
     */
    public int read(short[] into) {
        if (!lock.tryLock()) {
            try {
                if (!lock.tryLock(2, TimeUnit.MILLISECONDS)) {
                    return 0; // never stall the sender on a capturing thread; this tick sends silence
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        try {
            int n = Math.min(into.length, size);
            for (int i = 0; i < n; i++) {
                into[i] = ring[(head + i) % ring.length];
            }
            head = (head + n) % ring.length;
            size -= n;
            if (n > 0) {
                changed.signalAll();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes and fails blocked captures; queued audio is dropped. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            size = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
