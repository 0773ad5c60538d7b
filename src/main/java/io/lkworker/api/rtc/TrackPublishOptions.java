package io.lkworker.api.rtc;

import java.util.Objects;

/**
 * How to publish a track.
 *
 * @param source what the track is, for other participants' UIs ({@link TrackSource#MICROPHONE} by default)
 * @param dtx discontinuous transmission: send almost nothing during silence (on by default)
 * @param red redundant audio encoding, which hides packet loss at the cost of bandwidth (on by default)
 */
public record TrackPublishOptions(TrackSource source, boolean dtx, boolean red) {

    public TrackPublishOptions {
        Objects.requireNonNull(source, "source");
    }

    public static TrackPublishOptions defaults() {
        return new TrackPublishOptions(TrackSource.MICROPHONE, true, true);
    }

    public TrackPublishOptions withSource(TrackSource value) {
        return new TrackPublishOptions(value, dtx, red);
    }

    public TrackPublishOptions withDtx(boolean value) {
        return new TrackPublishOptions(source, value, red);
    }

    public TrackPublishOptions withRed(boolean value) {
        return new TrackPublishOptions(source, dtx, value);
    }
}
