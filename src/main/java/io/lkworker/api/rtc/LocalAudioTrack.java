package io.lkworker.api.rtc;

import java.util.Objects;

/**
 * An audio track this participant can publish, fed by an {@link AudioSource}. Publish it with
 * {@link LocalParticipant#publishTrack}; its id in the room is on the returned publication.
 */
public final class LocalAudioTrack implements Track {

    private final String name;
    private final AudioSource source;

    private LocalAudioTrack(String name, AudioSource source) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A track named {@code name} that carries what {@code source} is given. */
    public static LocalAudioTrack create(String name, AudioSource source) {
        return new LocalAudioTrack(name, source);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TrackKind kind() {
        return TrackKind.AUDIO;
    }

    public AudioSource source() {
        return source;
    }

    @Override
    public String toString() {
        return "LocalAudioTrack[" + name + ", " + source.sampleRate() + " Hz, " + source.channels() + " ch]";
    }
}
