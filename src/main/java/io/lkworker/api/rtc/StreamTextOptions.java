package io.lkworker.api.rtc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How to send a text stream ({@link LocalParticipant#streamText}, {@link LocalParticipant#sendText}).
 * Field names follow LiveKit's SDKs ({@code livekit/client-sdk-js src/room/types.ts StreamTextOptions}).
 *
 * @param topic what receivers choose their handler by ({@code ""} for none)
 * @param destinationIdentities who gets it; empty means every other participant
 * @param attributes free-form key/value pairs carried in the stream's header
 * @param streamId the stream's id; empty means a new random UUID
 * @param totalSize the UTF-8 length of the whole text when known up front (receivers check it), else empty
 * @param replyToStreamId the id of the stream this one answers ({@code ""} for none)
 * @param attachedStreamIds ids of byte streams sent alongside (attachments)
 * @param senderIdentity the participant the text is sent on behalf of ({@code ""}: ourselves). LiveKit's
 *     server keeps it only for text streams sent by agents (and marks them {@code generated}); this is how
 *     agents publish the transcription of what a user said ({@link AgentTranscriptions}).
 */
public record StreamTextOptions(String topic, List<String> destinationIdentities, Map<String, String> attributes,
        String streamId, OptionalLong totalSize, String replyToStreamId, List<String> attachedStreamIds,
        String senderIdentity) {

    public StreamTextOptions {
        topic = Objects.requireNonNullElse(topic, "");
        destinationIdentities = List.copyOf(Objects.requireNonNullElse(destinationIdentities, List.of()));
        attributes = Map.copyOf(Objects.requireNonNullElse(attributes, Map.of()));
        streamId = Objects.requireNonNullElse(streamId, "");
        totalSize = Objects.requireNonNullElse(totalSize, OptionalLong.empty());
        if (totalSize.isPresent() && totalSize.getAsLong() < 0) {
            throw new IllegalArgumentException("totalSize must not be negative: " + totalSize.getAsLong());
        }
        replyToStreamId = Objects.requireNonNullElse(replyToStreamId, "");
        attachedStreamIds = List.copyOf(Objects.requireNonNullElse(attachedStreamIds, List.of()));
        senderIdentity = Objects.requireNonNullElse(senderIdentity, "");
    }

    /** To everyone, on {@code topic}, nothing else set. */
    public static StreamTextOptions topic(String topic) {
        return new StreamTextOptions(topic, List.of(), Map.of(), "", OptionalLong.empty(), "", List.of(), "");
    }

    public StreamTextOptions withDestinations(List<String> identities) {
        return new StreamTextOptions(topic, identities, attributes, streamId, totalSize, replyToStreamId,
                attachedStreamIds, senderIdentity);
    }

    public StreamTextOptions withDestinations(String... identities) {
        return withDestinations(List.of(identities));
    }

    public StreamTextOptions withAttributes(Map<String, String> value) {
        return new StreamTextOptions(topic, destinationIdentities, value, streamId, totalSize, replyToStreamId,
                attachedStreamIds, senderIdentity);
    }

    public StreamTextOptions withStreamId(String value) {
        return new StreamTextOptions(topic, destinationIdentities, attributes, value, totalSize, replyToStreamId,
                attachedStreamIds, senderIdentity);
    }

    public StreamTextOptions withTotalSize(long bytes) {
        return new StreamTextOptions(topic, destinationIdentities, attributes, streamId, OptionalLong.of(bytes),
                replyToStreamId, attachedStreamIds, senderIdentity);
    }

    public StreamTextOptions withReplyTo(String streamIdRepliedTo) {
        return new StreamTextOptions(topic, destinationIdentities, attributes, streamId, totalSize, streamIdRepliedTo,
                attachedStreamIds, senderIdentity);
    }

    public StreamTextOptions withAttachments(List<String> streamIds) {
        return new StreamTextOptions(topic, destinationIdentities, attributes, streamId, totalSize, replyToStreamId,
                streamIds, senderIdentity);
    }

    public StreamTextOptions withSenderIdentity(String identity) {
        return new StreamTextOptions(topic, destinationIdentities, attributes, streamId, totalSize, replyToStreamId,
                attachedStreamIds, identity);
    }
}
