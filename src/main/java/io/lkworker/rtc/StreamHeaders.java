package io.lkworker.rtc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.lkworker.api.rtc.ByteStreamInfo;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.TextStreamInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import livekit.LivekitModels.DataStream;

/** Data stream headers ↔ the API's info records, as LiveKit's clients fill them in. */
final class StreamHeaders {

    /**
     * Data streams v2 fields newer than the protocol we compile ({@code livekit/protocol
     * livekit_models.proto DataStream.Header}: {@code inline_content = 11}, {@code compression = 12}).
     * We advertise {@code client_protocol} 0, so LiveKit's clients never send them to us; a header that
     * has them anyway arrives with them as unknown fields.
     */
    static final int INLINE_CONTENT_FIELD = 11;
    static final int COMPRESSION_FIELD = 12;

    private StreamHeaders() {
    }

    static DataStream.Header text(TextStreamInfo info, int version) {
        DataStream.TextHeader.Builder text = DataStream.TextHeader.newBuilder()
                .setOperationType(DataStream.OperationType.CREATE).setVersion(version)
                .setReplyToStreamId(info.replyToStreamId()).addAllAttachedStreamIds(info.attachedStreamIds());
        return common(info.id(), info.timestamp(), info.topic(), info.mimeType(), info.totalSize())
                .putAllAttributes(info.attributes()).setTextHeader(text).build();
    }

    static DataStream.Header bytes(ByteStreamInfo info) {
        return common(info.id(), info.timestamp(), info.topic(), info.mimeType(), info.totalSize())
                .putAllAttributes(info.attributes()).setByteHeader(DataStream.ByteHeader.newBuilder().setName(info.name()))
                .build();
    }

    private static DataStream.Header.Builder common(String id, long timestamp, String topic, String mimeType,
            OptionalLong totalSize) {
        DataStream.Header.Builder header = DataStream.Header.newBuilder().setStreamId(id).setTimestamp(timestamp)
                .setTopic(topic).setMimeType(mimeType);
        totalSize.ifPresent(header::setTotalLength);
        return header;
    }

    static TextStreamInfo textInfo(DataStream.Header header) {
        DataStream.TextHeader text = header.getTextHeader();
        return new TextStreamInfo(header.getStreamId(), header.getTopic(), header.getTimestamp(), totalSize(header),
                header.getAttributesMap(), header.getMimeType(), text.getReplyToStreamId(),
                List.copyOf(text.getAttachedStreamIdsList()), text.getGenerated());
    }

    static ByteStreamInfo byteInfo(DataStream.Header header) {
        String name = header.getByteHeader().getName();
        return new ByteStreamInfo(header.getStreamId(), header.getTopic(), header.getTimestamp(), totalSize(header),
                header.getAttributesMap(), header.getMimeType(), name.isEmpty() ? StreamBytesOptions.DEFAULT_NAME : name);
    }

    private static OptionalLong totalSize(DataStream.Header header) {
        return header.hasTotalLength() ? OptionalLong.of(header.getTotalLength()) : OptionalLong.empty();
    }

    /** The whole payload carried in the header itself (a v2 single-packet stream), if any. */
    static Optional<byte[]> inlineContent(DataStream.Header header) {
        UnknownFieldSet.Field field = header.getUnknownFields().getField(INLINE_CONTENT_FIELD);
        List<ByteString> values = field.getLengthDelimitedList();
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1).toByteArray());
    }

    /** The header's compression type (0 = none, 1 = deflate-raw). */
    static long compression(DataStream.Header header) {
        List<Long> values = header.getUnknownFields().getField(COMPRESSION_FIELD).getVarintList();
        return values.isEmpty() ? 0 : values.get(values.size() - 1);
    }
}
