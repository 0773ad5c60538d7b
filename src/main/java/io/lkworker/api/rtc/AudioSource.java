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
 */
public final class AudioSource implements AutoCloseable {

    public static final int DEFAULT_QUEUE_MS = 1000;

    private final int sampleRate;
    private final int channels;
    private final short[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int head;
    private int size;
    private boolean closed;

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
        this.ring = new short[(int) ((long) sampleRate * channels * queueSizeMs / 1000)];
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /**
     * Queues {@code frame} for sending; blocks while the queue has no room for it (a frame larger
     * than the whole queue waits until the queue is empty, then is queued in parts as it drains).
     *
     * @throws IllegalArgumentException if the frame's rate or channel count differs from this source's
     * @throws IllegalStateException if the source is closed
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
            while (offset < total) {
                int room;
                while ((room = ring.length - size) < Math.min(total - offset, ring.length) && !closed) {
                    changed.await();
                }
                if (closed) {
                    throw new IllegalStateException("audio source is closed");
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

    /** Blocks until everything queued has been sent (or the source is closed). */
    public void waitForPlayout() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (size > 0 && !closed) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #waitForPlayout()} with a bound; false if audio was still queued when it ran out. */
    public boolean waitForPlayout(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (size > 0 && !closed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
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

    /** Called by the room client when the source's track is being sent; agents do not call it. */
    public void markPublished() {
    }

    /** Called by the room client when the source's track stops being published; agents do not call it. */
    public void markUnpublished(String reason) {
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
