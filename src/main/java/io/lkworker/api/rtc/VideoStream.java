package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.Iterator;

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
    private final DropOldestQueue<VideoFrame> queue;
    private final VideoSink sink = new StreamSink();

    private VideoStream(RemoteVideoTrack track, int capacity) {
        this.queue = new DropOldestQueue<>(capacity);
        this.track = track;
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
        return queue.read();
    }

    /** The next frame, waiting at most {@code timeout}; null if none came in time or the stream ended. */
    public VideoFrame poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout);
    }

    /** True once the track ended or the stream was closed (queued frames may still be read). */
    public boolean isEnded() {
        return queue.isEnded();
    }

    /** Frames dropped because the reader fell more than the queue's capacity behind. */
    public long droppedFrames() {
        return queue.dropped();
    }

    /** Frames that arrived from the track (read, waiting or dropped). */
    public long receivedFrames() {
        return queue.received();
    }

    /**
     * Iterates until the stream ends. {@code hasNext} blocks; an interrupt while it waits ends the
     * iteration and keeps the thread's interrupt flag set.
     */
    @Override
    public Iterator<VideoFrame> iterator() {
        return queue.iterator();
    }

    /** Detaches from the track; readers get the frames still queued, then null. */
    @Override
    public void close() {
        track.removeSink(sink);
        end();
    }

    private void end() {
        long total = queue.end();
        if (total > 0) {
            LOG.log(System.Logger.Level.WARNING, "video stream of track {0} ({1}) ended having dropped {2} frame(s)"
                    + " because its reader fell behind", track.sid(), track.name(), total);
        }
    }

    private void enqueue(VideoFrame frame) {
        if (queue.add(frame) == DropOldestQueue.Added.DROPPED_OLDEST_FIRST_TIME) {
            LOG.log(System.Logger.Level.WARNING, "video stream of track {0} ({1}): the reader fell {2} frame(s)"
                    + " behind; dropping the oldest frames from now on (count: droppedFrames(), total logged when"
                    + " the stream ends)", track.sid(), track.name(), queue.capacity());
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
        return "VideoStream[" + track.sid() + ", capacity " + queue.capacity() + "]";
    }
}
