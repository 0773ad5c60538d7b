package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A remote video track as a blocking stream of decoded {@link VideoFrame}s:
 *
 * <pre>{@code
 * try (VideoStream stream = VideoStream.of(track)) {
 *     for (VideoFrame frame : stream) {   // ends when the track ends or the stream is closed
 *         detector.look(frame.width(), frame.height(), frame.toArgb());
 *     }
 * }
 * }</pre>
 *
 * Frames wait in a small bounded queue ({@value #DEFAULT_CAPACITY} by default); a reader that falls
 * further behind loses the oldest frames, counted by {@link #droppedFrames()}, and a warning is logged
 * the first time (and the total when the stream ends). Closing the stream detaches it from the track.
 */
public final class VideoStream implements Iterable<VideoFrame>, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VideoStream.class.getName());

    /**
     * Four frames: about a quarter of a second at 15 fps, and at most 5.5 MB at 1280×720. Video is
     * live: a reader wants the newest picture, and an old one it has not looked at yet is worth less
     * than the memory it holds (audio, whose every sample matters, keeps 10 s instead).
     */
    public static final int DEFAULT_CAPACITY = 4;

    private final RemoteVideoTrack track;
    private final int capacity;
    private final ArrayDeque<VideoFrame> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final VideoSink sink = new StreamSink();
    private long received;
    private long dropped;
    private boolean ended;
    private boolean warned;

    private VideoStream(RemoteVideoTrack track, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 frame, got " + capacity);
        }
        this.track = track;
        this.capacity = capacity;
        track.addSink(sink);
    }

    /** The track's frames, keeping at most {@value #DEFAULT_CAPACITY} unread. */
    public static VideoStream of(RemoteVideoTrack track) {
        return new VideoStream(track, DEFAULT_CAPACITY);
    }

    /** The track's frames, keeping at most {@code capacityFrames} unread. */
    public static VideoStream of(RemoteVideoTrack track, int capacityFrames) {
        return new VideoStream(track, capacityFrames);
    }

    /** The next frame; blocks until one arrives. Null once the track ended or the stream was closed. */
    public VideoFrame read() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !ended) {
                available.await();
            }
            return queue.poll();
        } finally {
            lock.unlock();
        }
    }

    /** The next frame, waiting at most {@code timeout}; null if none came in time or the stream ended. */
    public VideoFrame poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !ended && nanos > 0) {
                nanos = available.awaitNanos(nanos);
            }
            return queue.poll();
        } finally {
            lock.unlock();
        }
    }

    /** True once the track ended or the stream was closed (queued frames may still be read). */
    public boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /** Frames dropped because the reader fell more than the queue's capacity behind. */
    public long droppedFrames() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Frames that arrived from the track (read, waiting or dropped). */
    public long receivedFrames() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Iterates until the stream ends. {@code hasNext} blocks; an interrupt while it waits ends the
     * iteration and keeps the thread's interrupt flag set.
     */
    @Override
    public Iterator<VideoFrame> iterator() {
        return new Iterator<>() {
            private VideoFrame next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = read();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return next != null;
            }

            @Override
            public VideoFrame next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                VideoFrame f = next;
                next = null;
                return f;
            }
        };
    }

    /** Detaches from the track; readers get the frames still queued, then null. */
    @Override
    public void close() {
        track.removeSink(sink);
        end();
    }

    private void end() {
        long total;
        lock.lock();
        try {
            total = ended ? 0 : dropped;
            ended = true;
            available.signalAll();
        } finally {
            lock.unlock();
        }
        if (total > 0) {
            LOG.log(System.Logger.Level.WARNING, "video stream of track {0} ({1}) ended having dropped {2} frame(s)"
                    + " because its reader fell behind", track.sid(), track.name(), total);
        }
    }

    private void enqueue(VideoFrame frame) {
        boolean first = false;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            received++;
            if (queue.size() >= capacity) {
                queue.poll();
                dropped++;
                first = !warned;
                warned = true;
            }
            queue.add(frame);
            available.signalAll();
        } finally {
            lock.unlock();
        }
        if (first) {
            LOG.log(System.Logger.Level.WARNING, "video stream of track {0} ({1}): the reader fell {2} frame(s)"
                    + " behind; dropping the oldest frames from now on (count: droppedFrames(), total logged when"
                    + " the stream ends)", track.sid(), track.name(), capacity);
        }
    }

    /** On the track's decoding thread: queue and return. */
    private final class StreamSink implements VideoSink {
        @Override
        public void onFrame(VideoFrame frame) {
            enqueue(frame);
        }

        @Override
        public void onEnded() {
            track.removeSink(this);
            end();
        }
    }

    @Override
    public String toString() {
        return "VideoStream[" + track.sid() + ", capacity " + capacity + "]";
    }
}
