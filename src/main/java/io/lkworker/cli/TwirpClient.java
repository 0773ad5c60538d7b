package io.lkworker.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Calls one method of a LiveKit Twirp service ({@code POST /twirp/<service>/<method>}) with a
 * protobuf body. Failures become one-line {@link CommandFailure}s: Twirp errors as
 * {@code <code>: <msg>}. The bearer token is sent and never put in a message.
 */
final class TwirpClient {

    /** LiveKit answers API calls in milliseconds; these only bound a dead or black-holed server. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    static final String PROTOBUF = "application/protobuf";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final String baseUrl;

    /** @param baseUrl the server's http(s) URL, without a trailing slash */
    TwirpClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    <T extends Message> T call(String service, String method, Message request, Parser<T> reply, String token)
            throws CommandFailure, InterruptedException {
        URI uri = URI.create(baseUrl + "/twirp/" + service + "/" + method);
        HttpRequest post = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", PROTOBUF)
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray()))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(post, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new CommandFailure("cannot reach LiveKit at " + baseUrl + ": connection refused");
        } catch (HttpTimeoutException e) {
            throw new CommandFailure("LiveKit at " + baseUrl + " did not answer " + method + " within "
                    + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new CommandFailure("cannot reach LiveKit at " + baseUrl + ": " + e);
        }
        if (response.statusCode() != 200) {
            throw new CommandFailure(method + " failed: " + twirpError(response));
        }
        try {
            return reply.parseFrom(response.body());
        } catch (InvalidProtocolBufferException e) {
            throw new CommandFailure(method + ": " + uri + " did not answer with a protobuf reply");
        }
    }

    /** {@code unauthenticated: invalid authorization token} from Twirp's JSON error, else the HTTP status. */
    static String twirpError(HttpResponse<byte[]> response) {
        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonObject error = JsonParser.parseString(body).getAsJsonObject();
            String code = error.has("code") ? error.get("code").getAsString() : "";
            String msg = error.has("msg") ? error.get("msg").getAsString() : "";
            if (!code.isEmpty()) {
                return code + (msg.isEmpty() ? "" : ": " + msg);
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            // not a Twirp error body (a proxy's HTML page, say): fall through to the status
        }
        return "HTTP " + response.statusCode();
    }
}
