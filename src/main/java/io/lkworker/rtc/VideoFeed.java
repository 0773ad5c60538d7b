package io.lkworker.rtc;

import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoSink;

/**
 * Carries an agent's {@code VideoSource} captures into libwebrtc's custom source of one published
 * track: each frame is copied into a native I420 buffer, pushed (libwebrtc takes its own reference
 * and encodes on its encoder thread) and our reference released. Runs on the capturing thread; the
 * session thread {@link #close()}s it before the native source is disposed, and the lock keeps a
 * capture from touching the source once closed.
 */
final class VideoFeed implements VideoSink {

    private final CustomVideoSource source;
    private boolean closed;

    VideoFeed(CustomVideoSource source) {
        this.source = source;
    }

    @Override
    public void onFrame(VideoFrame frame) {
        synchronized (this) {
            if (closed) {
                return;
            }
            NativeI420Buffer buffer = NativeFrames.copyIn(frame);
            try {
                source.pushFrame(new dev.onvoid.webrtc.media.video.VideoFrame(buffer, frame.rotation(),
                        frame.timestampMicros() * 1000));
            } finally {
                buffer.release();
            }
        }
    }

    /** No frame reaches the native source after this returns. */
    synchronized void close() {
        closed = true;
    }
}
