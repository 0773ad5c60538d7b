package io.lkworker.dev;

import com.google.gson.JsonObject;
import io.lkworker.serverlink.AccessToken;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Re-signs a job's room token for a job restarted on reloaded code: same identity, name, grants and
 * attributes, a fresh validity window (one hour, like the server's job tokens). Needs the API secret
 * the server signed the original with, which dev mode has.
 */
final class TokenResigner implements UnaryOperator<String> {

    /** The server's job tokens are valid for one hour (protocol agent/token.go). */
    static final long JOB_TOKEN_TTL_SECONDS = 3600;

    private final String apiSecret;
    private final LongSupplier wallMillis;

    TokenResigner(String apiSecret, LongSupplier wallMillis) {
        this.apiSecret = apiSecret;
        this.wallMillis = wallMillis;
    }

    @Override
    public String apply(String token) {
        JsonObject claims;
        try {
            claims = AccessToken.unverifiedClaims(token);
        } catch (io.lkworker.jwt.Jwt.InvalidTokenException e) {
            throw new IllegalArgumentException("cannot re-sign a job token that is not a JWT");
        }
        long now = wallMillis.getAsLong() / 1000;
        claims.addProperty("nbf", now);
        claims.addProperty("iat", now);
        claims.addProperty("exp", now + JOB_TOKEN_TTL_SECONDS);
        return AccessToken.sign(claims, apiSecret);
    }
}
