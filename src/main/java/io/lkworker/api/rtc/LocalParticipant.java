package io.lkworker.api.rtc;

import java.util.Map;

/** This client in the room: what it publishes and how it presents itself. */
public interface LocalParticipant extends Participant {

    @Override
    Map<String, LocalTrackPublication> trackPublications();

    /**
     * Publishes {@code track}: the server assigns it an id and every subscriber starts receiving
     * what its {@link AudioSource} is given. Returns once the server confirmed and the media is
     * negotiated. A track is published at most once at a time.
     *
     * @throws RoomException if the room is not connected or the server refuses the track
     */
    LocalTrackPublication publishTrack(LocalAudioTrack track, TrackPublishOptions options);

    default LocalTrackPublication publishTrack(LocalAudioTrack track) {
        return publishTrack(track, TrackPublishOptions.defaults());
    }

    /** Stops publishing {@code track} (no-op if it is not published). */
    void unpublishTrack(LocalAudioTrack track);

    /**
     * Sends {@code data} (at most {@value DataOptions#MAX_SIZE} bytes) to every other participant,
     * or only to {@link DataOptions#destinationIdentities()}.
     *
     * @throws RoomException if the room is not connected
     */
    void publishData(byte[] data, DataOptions options);

    default void publishData(byte[] data) {
        publishData(data, DataOptions.defaults());
    }

    /** Sets this participant's metadata; returns once the server applied it. Needs the update-metadata grant. */
    void setMetadata(String metadata);

    /** Sets this participant's display name; returns once the server applied it. */
    void setName(String name);

    /**
     * Sets (or, with an empty value, deletes) the given attributes; others are kept. Returns once
     * the server applied them.
     */
    void setAttributes(Map<String, String> attributes);

    // ---- video

    /**
     * Publishes {@code track} as one VP8 layer of its source's size (no simulcast): the server assigns
     * it an id and every subscriber starts receiving what its {@link VideoSource} is given. Returns
     * once the server confirmed and the media is negotiated.
     *
     * @throws IllegalArgumentException if {@code options} name an audio source (microphone)
     * @throws RoomException            if the room is not connected or the server refuses the track
     */
    LocalVideoTrackPublication publishTrack(LocalVideoTrack track, TrackPublishOptions options);

    /** Publishes {@code track} as a camera ({@link TrackPublishOptions#video()}). */
    default LocalVideoTrackPublication publishTrack(LocalVideoTrack track) {
        return publishTrack(track, TrackPublishOptions.video());
    }

    /** Stops publishing {@code track} (no-op if it is not published). */
    void unpublishTrack(LocalVideoTrack track);

    /** The video tracks this participant publishes, by sid. */
    Map<String, LocalVideoTrackPublication> videoTrackPublications();
}
