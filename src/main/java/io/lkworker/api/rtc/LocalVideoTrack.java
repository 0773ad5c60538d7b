package io.lkworker.api.rtc;

import java.util.Objects;

/**
 * A video track this participant can publish, fed by a {@link VideoSource}. Publish it with
 * {@link LocalParticipant#publishTrack(LocalVideoTrack, TrackPublishOptions)}.
 */
public final class LocalVideoTrack implements Track {

    private final String name;
    private final VideoSource source;

    private LocalVideoTrack(String name, VideoSource source) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** A track named {@code name} that carries what {@code source} is given. */
    public static LocalVideoTrack create(String name, VideoSource source) {
        return new LocalVideoTrack(name, source);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TrackKind kind() {
        return TrackKind.VIDEO;
    }

    public VideoSource source() {
        return source;
    }

    @Override
    public String toString() {
        return "LocalVideoTrack[" + name + ", " + source.width() + "x" + source.height() + "]";
    }
}
