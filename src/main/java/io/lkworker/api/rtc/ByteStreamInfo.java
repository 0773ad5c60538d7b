package io.lkworker.api.rtc;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What a byte stream's header said (and, once the stream ended, its trailer's attributes merged in).
 *
 * @param id the stream's id (a UUID for streams LiveKit's SDKs create)
 * @param topic its topic
 * @param timestamp when the sender opened it, milliseconds since the epoch
 * @param totalSize the number of bytes the sender announced, if it did
 * @param attributes the header's attributes; after the trailer, the trailer's attributes override them
 * @param mimeType the payload's MIME type
 * @param name the payload's name (a file name, or {@code "unknown"})
 */
public record ByteStreamInfo(String id, String topic, long timestamp, OptionalLong totalSize,
        Map<String, String> attributes, String mimeType, String name) {

    public ByteStreamInfo {
        attributes = Map.copyOf(attributes);
    }

    public ByteStreamInfo withAttributes(Map<String, String> value) {
        return new ByteStreamInfo(id, topic, timestamp, totalSize, value, mimeType, name);
    }
}
