package io.lkworker.rtc;

import io.lkworker.api.rtc.DataStreamException;
import io.lkworker.api.rtc.TextStreamInfo;
import io.lkworker.api.rtc.TextStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The reader of an incoming text stream. Chunks are decoded with one decoder across the whole stream,
 * so a character a sender did cut between chunks is still decoded whole. One reading, one thread.
 */
final class IncomingTextReader implements TextStreamReader {

    private final IncomingStream stream;
    private final TextStreamInfo header;

    IncomingTextReader(IncomingStream stream, TextStreamInfo header) {
        this.stream = stream;
        this.header = header;
    }

    @Override
    public TextStreamInfo info() {
        Map<String, String> merged = stream.attributesWithTrailer(header.attributes());
        return merged == null ? header : header.withAttributes(merged);
    }

    @Override
    public Iterator<String> iterator() {
        start();
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new Iterator<>() {
            private ByteBuffer leftover = ByteBuffer.allocate(0);
            private String next;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    byte[] chunk = stream.take();
                    if (chunk == null) {
                        done = true;
                        String rest = decode(decoder, leftover, new byte[0], true);
                        next = rest.isEmpty() ? null : rest;
                    } else {
                        String piece = decode(decoder, leftover, chunk, false);
                        next = piece.isEmpty() ? null : piece;
                    }
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("text stream " + header.id() + " has ended");
                }
                String piece = next;
                next = null;
                return piece;
            }

            /** Decodes leftover + chunk; keeps an unfinished character's bytes in {@code leftover}. */
            private String decode(CharsetDecoder d, ByteBuffer before, byte[] chunk, boolean last) {
                ByteBuffer in = ByteBuffer.allocate(before.remaining() + chunk.length);
                in.put(before).put(chunk).flip();
                CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
                var result = d.decode(in, out, last);
                if (result.isError() || (last && in.hasRemaining())) {
                    stream.abandon();
                    throw new DataStreamException(DataStreamException.Reason.DECODE_FAILED,
                            "text stream " + header.id() + " is not valid UTF-8");
                }
                if (last) {
                    d.flush(out);
                }
                leftover = in.slice();
                return out.flip().toString();
            }
        };
    }

    @Override
    public String readAll(long maxBytes) {
        start();
        byte[] all = stream.takeAll(maxBytes, "text stream " + header.id(), "read it piece by piece");
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(all)).toString();
        } catch (CharacterCodingException e) {
            throw new DataStreamException(DataStreamException.Reason.DECODE_FAILED,
                    "text stream " + header.id() + " is not valid UTF-8");
        }
    }

    private void start() {
        stream.claim("text stream " + header.id());
    }

    @Override
    public String toString() {
        return "TextStreamReader[" + header.id() + " " + header.topic() + "]";
    }
}
