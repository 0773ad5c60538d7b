package io.lkworker.api.rtc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to send a byte stream ({@link LocalParticipant#streamBytes}, {@link LocalParticipant#sendBytes},
 * {@link LocalParticipant#sendFile}). Field names and defaults follow LiveKit's SDKs
 * ({@code livekit/client-sdk-js src/room/data-stream/outgoing/OutgoingDataStreamManager.ts streamBytes}).
 *
 * @param topic what receivers choose their handler by ({@code ""} for none)
 * @param destinationIdentities who gets it; empty means every other participant
 * @param attributes free-form key/value pairs carried in the stream's header
 * @param streamId the stream's id; empty means a new random UUID
 * @param totalSize the number of bytes when known up front (receivers check it), else empty
 * @param name the payload's name ({@code "unknown"} by default, the file name for {@code sendFile})
 * @param mimeType its MIME type ({@code application/octet-stream} by default)
 */
public record StreamBytesOptions(String topic, List<String> destinationIdentities, Map<String, String> attributes,
        String streamId, OptionalLong totalSize, String name, String mimeType) {

    public static final String DEFAULT_NAME = "unknown";
    public static final String DEFAULT_MIME_TYPE = "application/octet-stream";

    public StreamBytesOptions {
        topic = Objects.requireNonNullElse(topic, "");
        destinationIdentities = List.copyOf(Objects.requireNonNullElse(destinationIdentities, List.of()));
        attributes = Map.copyOf(Objects.requireNonNullElse(attributes, Map.of()));
        streamId = Objects.requireNonNullElse(streamId, "");
        totalSize = Objects.requireNonNullElse(totalSize, OptionalLong.empty());
        if (totalSize.isPresent() && totalSize.getAsLong() < 0) {
            throw new IllegalArgumentException("totalSize must not be negative: " + totalSize.getAsLong());
        }
        name = name == null || name.isEmpty() ? DEFAULT_NAME : name;
        mimeType = mimeType == null || mimeType.isEmpty() ? DEFAULT_MIME_TYPE : mimeType;
    }

    /** To everyone, on {@code topic}, default name and MIME type. */
    public static StreamBytesOptions topic(String topic) {
        return new StreamBytesOptions(topic, List.of(), Map.of(), "", OptionalLong.empty(), DEFAULT_NAME,
                DEFAULT_MIME_TYPE);
    }

    public StreamBytesOptions withDestinations(List<String> identities) {
        return new StreamBytesOptions(topic, identities, attributes, streamId, totalSize, name, mimeType);
    }

    public StreamBytesOptions withDestinations(String... identities) {
        return withDestinations(List.of(identities));
    }

    public StreamBytesOptions withAttributes(Map<String, String> value) {
        return new StreamBytesOptions(topic, destinationIdentities, value, streamId, totalSize, name, mimeType);
    }

    public StreamBytesOptions withStreamId(String value) {
        return new StreamBytesOptions(topic, destinationIdentities, attributes, value, totalSize, name, mimeType);
    }

    public StreamBytesOptions withTotalSize(long bytes) {
        return new StreamBytesOptions(topic, destinationIdentities, attributes, streamId, OptionalLong.of(bytes), name,
                mimeType);
    }

    public StreamBytesOptions withName(String value) {
        return new StreamBytesOptions(topic, destinationIdentities, attributes, streamId, totalSize, value, mimeType);
    }

    public StreamBytesOptions withMimeType(String value) {
        return new StreamBytesOptions(topic, destinationIdentities, attributes, streamId, totalSize, name, value);
    }
}
