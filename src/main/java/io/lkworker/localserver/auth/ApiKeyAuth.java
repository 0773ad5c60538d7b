package io.lkworker.localserver.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.jwt.Jwt;
import io.lkworker.localserver.http.HttpRequest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * LiveKit's auth middleware (livekit/livekit {@code pkg/service/auth.go} {@code APIKeyAuthMiddleware.ServeHTTP}):
 * find the token, look up the secret
 * by its {@code iss}, verify it. Stateless apart from the immutable key map; safe from any thread.
 */
public final class ApiKeyAuth {

    static final String BEARER = "Bearer ";

    private final Map<String, String> keys;
    private final Clock clock;

    public ApiKeyAuth(Map<String, String> keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** A verified token and the key pair that signed it. Never log {@code secret}. */
    public record Grant(String apiKey, String secret, JsonObject claims) {

        public boolean videoFlag(String name) {
            JsonObject video = video();
            JsonElement e = video == null ? null : video.get(name);
            return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
        }

        public String videoString(String name) {
            JsonObject video = video();
            JsonElement e = video == null ? null : video.get(name);
            return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
        }

        private JsonObject video() {
            JsonElement v = claims.get("video");
            return v != null && v.isJsonObject() ? v.getAsJsonObject() : null;
        }
    }

    /** 401 with this message as the body (or Twirp msg). */
    public static final class AuthException extends Exception {
        AuthException(String message) {
            super(message);
        }
    }

    /**
     * Returns empty when the request carries no token at all (the handler then decides: the agent
     * endpoint answers "permissions denied"); throws for a token that is present but not acceptable.
     */
    public Optional<Grant> authenticate(HttpRequest request) throws AuthException {
        String token;
        Optional<String> header = request.header("Authorization").filter(h -> !h.isEmpty());
        if (header.isPresent()) {
            if (!header.get().startsWith(BEARER)) {
                throw new AuthException("invalid authorization header. Must start with " + BEARER);
            }
            token = header.get().substring(BEARER.length());
        } else {
            token = request.queryParam("access_token").orElse("");
        }
        if (token.isEmpty()) {
            return Optional.empty();
        }
        JsonObject unverified;
        try {
            unverified = Jwt.unverifiedClaims(token);
        } catch (Jwt.InvalidTokenException e) {
            throw new AuthException(e.getMessage());
        }
        JsonElement iss = unverified.get("iss");
        String apiKey = iss != null && iss.isJsonPrimitive() ? iss.getAsString() : "";
        String secret = keys.get(apiKey);
        if (secret == null) {
            throw new AuthException("invalid API key");
        }
        try {
            return Optional.of(new Grant(apiKey, secret, Jwt.verify(token, secret, clock.millis())));
        } catch (Jwt.InvalidTokenException e) {
            throw new AuthException(e.getMessage());
        } catch (RuntimeException e) {
            // e.g. an exp claim that is not a number
            throw new AuthException("invalid authorization token");
        }
    }
}
