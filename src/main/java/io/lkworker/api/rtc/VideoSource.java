package io.lkworker.api.rtc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a published video track's frames come from: give it frames of its size as you make them
 * (a camera, a renderer, an avatar), at the rate you want them sent.
 *
 * <pre>{@code
 * VideoSource source = new VideoSource(320, 240);
 * room.localParticipant().publishTrack(LocalVideoTrack.create("avatar", source));
 * while (running) {
 *     source.captureArgb(drawNextPicture(), System.nanoTime() / 1000);   // e.g. 15 times a second
 * }
 * }</pre>
 *
 * Video is live: a frame captured while the track is not published (before {@code publishTrack}
 * returns, while the room reconnects, after unpublishing) is discarded and counted
 * ({@link #discardedFrames()}); nothing queues. {@code captureFrame} returns once libwebrtc has the
 * frame (a copy into native memory); encoding happens on libwebrtc's encoder thread, which drops
 * frames it cannot keep up with. Thread-safe.
 */
public final class VideoSource implements AutoCloseable {

    private final int width;
    private final int height;
    /** Set by the room while the track is published; see {@link #attachOutput}. */
    private volatile VideoSink output;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong discarded = new AtomicLong();
    private volatile boolean closed;

    /** A source of {@code width × height} frames (1..{@value VideoFrame#MAX_DIMENSION} each). */
    public VideoSource(int width, int height) {
        if (width < 2 || height < 2 || width > VideoFrame.MAX_DIMENSION || height > VideoFrame.MAX_DIMENSION) {
            throw new IllegalArgumentException("video source size " + width + "x" + height + " is out of range 2.."
                    + VideoFrame.MAX_DIMENSION);
        }
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Sends {@code frame} (of this source's size) to the track's subscribers.
     *
     * @throws IllegalArgumentException if the frame's size differs from the source's
     * @throws IllegalStateException    if the source was closed
     */
    public void captureFrame(VideoFrame frame) {
        if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException("frame is " + frame.width() + "x" + frame.height()
                    + " but this video source is " + width + "x" + height + "; scale it, or publish a source of its size");
        }
        if (closed) {
            throw new IllegalStateException("video source is closed");
        }
        VideoSink out = output;
        if (out == null) {
            discarded.incrementAndGet();
            return;
        }
        out.onFrame(frame);
        sent.incrementAndGet();
    }

    /** {@link #captureFrame} of tightly packed I420 planes. */
    public void captureI420(byte[] y, byte[] u, byte[] v, long timestampMicros) {
        captureFrame(VideoFrame.ofI420(width, height, y, u, v, timestampMicros));
    }

    /** {@link #captureFrame} of {@code 0xAARRGGBB} pixels, row by row (converted to I420 here). */
    public void captureArgb(int[] argb, long timestampMicros) {
        captureFrame(VideoFrame.fromArgb(width, height, argb, timestampMicros));
    }

    /** {@link #captureFrame} of R, G, B, A bytes per pixel, row by row (converted to I420 here). */
    public void captureRgba(byte[] rgba, long timestampMicros) {
        captureFrame(VideoFrame.fromRgba(width, height, rgba, timestampMicros));
    }

    /** Frames handed to libwebrtc. */
    public long sentFrames() {
        return sent.get();
    }

    /** Frames discarded because the track was not being published when they were captured. */
    public long discardedFrames() {
        return discarded.get();
    }

    /**
     * For the room implementation: frames go to {@code sink} from now on (the track is being sent),
     * or nowhere ({@code null}). Not for agents.
     */
    public void attachOutput(VideoSink sink) {
        this.output = sink;
    }

    /** For the room implementation: stops sending to {@code sink} if it is the current output. */
    public void detachOutput(VideoSink sink) {
        if (output == sink) {
            output = null;
        }
    }

    /** Further captures fail; a published track stays published but gets no frames. */
    @Override
    public void close() {
        closed = true;
        output = null;
    }

    @Override
    public String toString() {
        return "VideoSource[" + width + "x" + height + "]";
    }
}
