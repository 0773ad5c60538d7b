package io.lkworker.api.rtc;

/**
 * A subscribed remote video track. Read it with {@link VideoStream#of(RemoteVideoTrack)};
 * {@link #addSink} is the low-level way (every decoded frame, on the decoding thread).
 */
public interface RemoteVideoTrack extends RemoteTrack {

    /** Delivers every decoded frame to {@code sink} until removed or the track ends. */
    void addSink(VideoSink sink);

    void removeSink(VideoSink sink);

    @Override
    default TrackKind kind() {
        return TrackKind.VIDEO;
    }
}
