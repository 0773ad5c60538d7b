package io.lkworker.api.rtc;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a text stream's header said (and, once the stream ended, its trailer's attributes merged in).
 *
 * @param id the stream's id (a UUID for streams LiveKit's SDKs create)
 * @param topic its topic
 * @param timestamp when the sender opened it, milliseconds since the epoch
 * @param totalSize the UTF-8 length the sender announced, if it did
 * @param attributes the header's attributes; after the trailer, the trailer's attributes override them
 * @param mimeType {@code text/plain} for streams from LiveKit's SDKs
 * @param replyToStreamId the stream it answers, or {@code ""}
 * @param attachedStreamIds byte streams sent with it
 * @param generated set by LiveKit's server when an agent sent it on behalf of another participant
 *     (a transcription of that participant's speech)
 */
public record TextStreamInfo(String id, String topic, long timestamp, OptionalLong totalSize,
        Map<String, String> attributes, String mimeType, String replyToStreamId, List<String> attachedStreamIds,
        boolean generated) {

    public static final String MIME_TYPE = "text/plain";

    public TextStreamInfo {
        attributes = Map.copyOf(attributes);
        attachedStreamIds = List.copyOf(attachedStreamIds);
    }

    public TextStreamInfo withAttributes(Map<String, String> value) {
        return new TextStreamInfo(id, topic, timestamp, totalSize, value, mimeType, replyToStreamId,
                attachedStreamIds, generated);
    }
}
