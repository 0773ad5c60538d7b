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

    // ---- data streams

    /**
     * Opens a text stream: sends its header and returns the writer that sends the text. Reliable.
     *
     * @throws RoomException if the room is not connected or the header cannot be sent
     * @throws IllegalArgumentException if the header would be over 15000 bytes (attributes too large)
     */
    TextStreamWriter streamText(StreamTextOptions options);

    /** Sends {@code text} as one whole text stream (header with its length, chunks, trailer). */
    TextStreamInfo sendText(String text, StreamTextOptions options);

    /** Opens a byte stream: sends its header and returns the writer that sends the bytes. Reliable. */
    ByteStreamWriter streamBytes(StreamBytesOptions options);

    /** Sends {@code data} as one whole byte stream. */
    ByteStreamInfo sendBytes(byte[] data, StreamBytesOptions options);

    /**
     * Sends the file at {@code path} as one byte stream, read piece by piece (never whole in memory).
     * Its name defaults to the file's name and its MIME type to a guess from the name.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    ByteStreamInfo sendFile(java.nio.file.Path path, StreamBytesOptions options);
}
