package io.lkworker.localserver.twirp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.lkworker.localserver.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * One Twirp request for a service's {@link TwirpHandler.Methods}: the method, the HTTP request (for
 * its token) and the body's encoding, which the reply uses too.
 *
 * @param json true for protojson ({@code application/json}), false for protobuf
 */
record TwirpCall(String method, HttpRequest http, boolean json) {

    /** Accepts lowerCamelCase and proto names; unknown fields are discarded like Twirp does. */
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    /** Decodes the body into {@code builder}'s message type; the cast is safe by construction of the call sites. */
    @SuppressWarnings("unchecked")
    <T extends Message> T decode(Message.Builder builder) throws TwirpError {
        try {
            if (json) {
                PARSER.merge(new String(http.body(), StandardCharsets.UTF_8), builder);
            } else {
                builder.mergeFrom(http.body());
            }
            return (T) builder.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new TwirpError("malformed", 400, json
                    ? "the json request could not be decoded"
                    : "the protobuf request could not be decoded");
        }
    }
}
