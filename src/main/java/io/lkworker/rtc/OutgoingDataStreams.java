package io.lkworker.rtc;

import io.lkworker.api.rtc.ByteStreamInfo;
import io.lkworker.api.rtc.ByteStreamWriter;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.api.rtc.TextStreamInfo;
import io.lkworker.api.rtc.TextStreamWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Opens outgoing text and byte streams for the local participant. Stateless apart from the session:
 * every stream's state lives in its {@link OutgoingStream}. Agent threads.
 */
final class OutgoingDataStreams {

    private final RtcSession session;

    OutgoingDataStreams(RtcSession session) {
        this.session = session;
    }

    TextStreamWriter streamText(StreamTextOptions options) {
        TextStreamInfo info = new TextStreamInfo(idOf(options.streamId()), options.topic(), System.currentTimeMillis(),
                options.totalSize(), options.attributes(), TextStreamInfo.MIME_TYPE, options.replyToStreamId(),
                options.attachedStreamIds(), false);
        OutgoingStream stream = OutgoingStream.open(session, StreamHeaders.text(info, 0),
                options.destinationIdentities(), options.senderIdentity());
        return new TextWriter(stream, info);
    }

    TextStreamInfo sendText(String text, StreamTextOptions options) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        TextWriter writer = (TextWriter) streamText(options.withTotalSize(utf8.length));
        writer.stream.write(utf8, 0, utf8.length, true);
        writer.close();
        return writer.info();
    }

    ByteStreamWriter streamBytes(StreamBytesOptions options) {
        ByteStreamInfo info = new ByteStreamInfo(idOf(options.streamId()), options.topic(), System.currentTimeMillis(),
                options.totalSize(), options.attributes(), options.mimeType(), options.name());
        OutgoingStream stream = OutgoingStream.open(session, StreamHeaders.bytes(info),
                options.destinationIdentities(), "");
        return new ByteWriter(stream, info);
    }

    ByteStreamInfo sendBytes(byte[] data, StreamBytesOptions options) {
        ByteStreamWriter writer = streamBytes(options.withTotalSize(data.length));
        writer.write(data);
        writer.close();
        return writer.info();
    }

    /** The file goes out {@link OutgoingStream#CHUNK_SIZE} bytes at a time: never whole in memory. */
    ByteStreamInfo sendFile(Path path, StreamBytesOptions options) {
        StreamBytesOptions fileOptions;
        try {
            fileOptions = options.withTotalSize(Files.size(path));
            if (options.name().equals(StreamBytesOptions.DEFAULT_NAME) && path.getFileName() != null) {
                fileOptions = fileOptions.withName(path.getFileName().toString());
            }
            if (options.mimeType().equals(StreamBytesOptions.DEFAULT_MIME_TYPE)) {
                String guessed = Files.probeContentType(path);
                if (guessed != null) {
                    fileOptions = fileOptions.withMimeType(guessed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send file " + path + ": " + e.getMessage(), e);
        }
        ByteStreamWriter writer = streamBytes(fileOptions);
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buffer = new byte[OutgoingStream.CHUNK_SIZE];
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                writer.write(buffer, 0, n);
            }
        } catch (IOException e) {
            writer.close("file read failed", Map.of());
            throw new UncheckedIOException("cannot read file " + path + ": " + e.getMessage(), e);
        }
        writer.close();
        return writer.info();
    }

    private static String idOf(String requested) {
        return requested.isEmpty() ? UUID.randomUUID().toString() : requested;
    }

    private static final class TextWriter implements TextStreamWriter {
        final OutgoingStream stream;
        private final TextStreamInfo info;

        TextWriter(OutgoingStream stream, TextStreamInfo info) {
            this.stream = stream;
            this.info = info;
        }

        @Override
        public TextStreamInfo info() {
            return info;
        }

        @Override
        public void write(String text) {
            byte[] utf8 = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
            stream.write(utf8, 0, utf8.length, true);
        }

        @Override
        public void close(String reason, Map<String, String> attributes) {
            stream.close(reason, attributes);
        }

        @Override
        public String toString() {
            return "TextStreamWriter[" + info.id() + " " + info.topic() + "]";
        }
    }

    private static final class ByteWriter implements ByteStreamWriter {
        private final OutgoingStream stream;
        private final ByteStreamInfo info;

        ByteWriter(OutgoingStream stream, ByteStreamInfo info) {
            this.stream = stream;
            this.info = info;
        }

        @Override
        public ByteStreamInfo info() {
            return info;
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(data, "data").length);
            stream.write(data, offset, length, false);
        }

        @Override
        public void close(String reason, Map<String, String> attributes) {
            stream.close(reason, attributes);
        }

        @Override
        public String toString() {
            return "ByteStreamWriter[" + info.id() + " " + info.topic() + "]";
        }
    }
}
