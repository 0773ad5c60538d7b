package io.lkworker.api.rtc;

import java.time.Duration;
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

    // ---- RPC (LiveKit's remote method calls between participants) and agent state -------------------

    /** How long {@link #performRpc(String, String, String)} waits for the answer: LiveKit's default, 15 s. */
    Duration DEFAULT_RPC_RESPONSE_TIMEOUT = Duration.ofSeconds(15);

    /**
     * Answers calls of {@code method} from other participants (or the server) with {@code handler}.
     * The registration belongs to this client, not to a connection: it lasts through reconnects until
     * {@link #unregisterRpcMethod}. Handlers run on the room's RPC thread pool (see {@link RpcHandler}).
     *
     * @throws IllegalStateException if {@code method} already has a handler (as LiveKit's JS SDK:
     *                               unregister it first)
     */
    void registerRpcMethod(String method, RpcHandler handler);

    /** Stops answering {@code method} (calls then fail with UNSUPPORTED_METHOD); no-op if not registered. */
    void unregisterRpcMethod(String method);

    /**
     * Calls {@code method} on the participant {@code destinationIdentity} and waits for its answer: at
     * most 7 s for the recipient to acknowledge the request, and {@code responseTimeout} in all.
     *
     * @return the response payload
     * @throws RpcError with the recipient's error, or a built-in code: CONNECTION_TIMEOUT (no
     *                  acknowledgement), RESPONSE_TIMEOUT, RECIPIENT_DISCONNECTED (the recipient or this
     *                  room left), REQUEST_PAYLOAD_TOO_LARGE (over {@value RpcError#MAX_PAYLOAD_BYTES}
     *                  bytes, not sent), SEND_FAILED, UNSUPPORTED_SERVER (server older than 1.8.0)
     */
    String performRpc(String destinationIdentity, String method, String payload, Duration responseTimeout);

    /** {@link #performRpc(String, String, String, Duration)} with LiveKit's default response timeout of 15 s. */
    default String performRpc(String destinationIdentity, String method, String payload) {
        return performRpc(destinationIdentity, method, payload, DEFAULT_RPC_RESPONSE_TIMEOUT);
    }

    /**
     * Publishes what this agent is doing as the attribute {@value AgentState#ATTRIBUTE}, where LiveKit's
     * frontends (agents-playground, the JS SDK's {@code useVoiceAssistant}) read it. Returns once the
     * server applied it.
     */
    default void setAgentState(AgentState state) {
        setAttributes(Map.of(AgentState.ATTRIBUTE, state.value()));
    }

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
