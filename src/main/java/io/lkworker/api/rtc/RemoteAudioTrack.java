package io.lkworker.api.rtc;

/**
 * A subscribed remote audio track. Read it with {@link AudioStream#of(RemoteAudioTrack, int, int)};
 * {@link #addSink} is the low-level way (48 kHz, 10 ms frames, on the audio thread).
 */
public interface RemoteAudioTrack extends RemoteTrack {

    /** Delivers every decoded 10 ms frame to {@code sink} until removed or the track ends. */
    void addSink(AudioSink sink);

    void removeSink(AudioSink sink);

    @Override
    default TrackKind kind() {
        return TrackKind.AUDIO;
    }
}
