package io.lkworker.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Reads a daemon's {@code GET /worker} (the JSON written by io.lkworker.health.WorkerJson). */
final class HealthClient {

    /** The health server is local and answers from a snapshot: anything slower means it is wedged. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final URI workerUri;

    /** @param baseUrl the health server, e.g. {@code http://127.0.0.1:8081} (a trailing {@code /worker} is fine) */
    HealthClient(String baseUrl) throws CommandFailure {
        this(baseUrl, "the published health server URL");
    }

    /** @param source what to name in the error when {@code baseUrl} is not an http(s) URL, e.g. the option */
    HealthClient(String baseUrl, String source) throws CommandFailure {
        String base = baseUrl.strip().replaceAll("/+$", "");
        if (base.endsWith("/worker")) {
            base = base.substring(0, base.length() - "/worker".length());
        }
        try {
            URI uri = URI.create(base + "/worker");
            if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http URL");
            }
            this.workerUri = uri;
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(source + ": not an http(s) URL of a health server, got '" + baseUrl + "'",
                    ExitCodes.USAGE);
        }
    }

    URI uri() {
        return workerUri;
    }

    /** The worker JSON; a one-line failure when the server cannot be reached or answers oddly. */
    JsonObject worker() throws CommandFailure, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(workerUri).timeout(REQUEST_TIMEOUT).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CommandFailure("cannot reach the health server at " + workerUri + ": connection refused");
        } catch (HttpTimeoutException e) {
            throw new CommandFailure("the health server at " + workerUri + " did not answer within "
                    + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw new CommandFailure("cannot reach the health server at " + workerUri + ": " + e);
        }
        if (response.statusCode() != 200) {
            throw new CommandFailure("the health server at " + workerUri + " answered HTTP " + response.statusCode());
        }
        try {
            return JsonParser.parseString(response.body()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new CommandFailure("the health server at " + workerUri + " did not answer with worker JSON");
        }
    }
}
