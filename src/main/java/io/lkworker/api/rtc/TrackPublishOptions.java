package io.lkworker.api.rtc;

import java.util.Objects;

/**
 * How to publish a track.
 *
 * @param source            what the track is, for other participants' UIs ({@link TrackSource#MICROPHONE}
 *                          by default; {@link #video()} starts from {@link TrackSource#CAMERA})
 * @param dtx               audio: discontinuous transmission, send almost nothing during silence (on by default)
 * @param red               audio: redundant encoding, which hides packet loss at the cost of bandwidth (on by default)
 * @param maxVideoBitrate   video: the encoder's ceiling in bits per second; 0 leaves libwebrtc's own
 *                          (which grows with the resolution: about 1.7 Mb/s at 1280×720)
 * @param maxVideoFramerate video: frames per second the encoder sends at most; 0 sends what is captured
 */
public record TrackPublishOptions(TrackSource source, boolean dtx, boolean red, int maxVideoBitrate,
                                  double maxVideoFramerate) {

    public TrackPublishOptions {
        Objects.requireNonNull(source, "source");
        if (maxVideoBitrate < 0) {
            throw new IllegalArgumentException("maxVideoBitrate must be 0 (libwebrtc's default) or positive, got "
                    + maxVideoBitrate);
        }
        if (maxVideoFramerate < 0 || Double.isNaN(maxVideoFramerate)) {
            throw new IllegalArgumentException("maxVideoFramerate must be 0 (as captured) or positive, got "
                    + maxVideoFramerate);
        }
    }

    /** Audio options, as before video existed. */
    public TrackPublishOptions(TrackSource source, boolean dtx, boolean red) {
        this(source, dtx, red, 0, 0);
    }

    /** For audio: a microphone, with DTX and RED. */
    public static TrackPublishOptions defaults() {
        return new TrackPublishOptions(TrackSource.MICROPHONE, true, true);
    }

    /** For video: a camera, libwebrtc's bitrate, the captured frame rate, one layer (no simulcast). */
    public static TrackPublishOptions video() {
        return new TrackPublishOptions(TrackSource.CAMERA, true, true);
    }

    public TrackPublishOptions withSource(TrackSource value) {
        return new TrackPublishOptions(value, dtx, red, maxVideoBitrate, maxVideoFramerate);
    }

    public TrackPublishOptions withDtx(boolean value) {
        return new TrackPublishOptions(source, value, red, maxVideoBitrate, maxVideoFramerate);
    }

    public TrackPublishOptions withRed(boolean value) {
        return new TrackPublishOptions(source, dtx, value, maxVideoBitrate, maxVideoFramerate);
    }

    public TrackPublishOptions withMaxVideoBitrate(int bitsPerSecond) {
        return new TrackPublishOptions(source, dtx, red, bitsPerSecond, maxVideoFramerate);
    }

    public TrackPublishOptions withMaxVideoFramerate(double framesPerSecond) {
        return new TrackPublishOptions(source, dtx, red, maxVideoBitrate, framesPerSecond);
    }
}
