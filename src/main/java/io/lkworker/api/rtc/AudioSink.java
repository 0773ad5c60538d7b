package io.lkworker.api.rtc;

/**
 * Receives a remote track's decoded audio as it arrives: 10 ms frames, on the audio thread shared
 * by every track of the process. Return at once (copy the frame into a queue); {@link AudioStream}
 * does exactly that.
 */
@FunctionalInterface
public interface AudioSink {

    void onFrame(AudioFrame frame);

    /** The track ended (unsubscribed, unpublished, or the room disconnected); no frame follows. */
    default void onEnded() {
    }
}
