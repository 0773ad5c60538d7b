package io.lkworker.api.rtc;

/**
 * Receives a remote video track's decoded frames as they arrive, on libwebrtc's decoding thread of
 * that track. Return at once (hand the frame to a queue); {@link VideoStream} does exactly that.
 */
@FunctionalInterface
public interface VideoSink {

    void onFrame(VideoFrame frame);

    /** The track ended (unsubscribed, unpublished, or the room disconnected); no frame follows. */
    default void onEnded() {
    }
}
