package io.lkworker.serverlink;

import com.google.gson.JsonObject;
import io.lkworker.jwt.Jwt;
import java.time.Duration;

/**
 * LiveKit access tokens: HS256 JWTs signed with the API secret. Signing is what a worker needs for
 * its connect token (and dev reload for re-signing job tokens); verification checks tokens the way
 * LiveKit's server does (the embedded server in {@code io.lkworker.localserver} has its own copy, as
 * it depends on nothing of the worker). LiveKit's dev secret ("secret") is shorter than JWT
 * libraries allow, so this is done with the JDK's HMAC.
 */
public final class AccessToken {

    /** The leeway LiveKit's verifier allows on exp and nbf. */
    public static final long LEEWAY_SECONDS = Jwt.LEEWAY_SECONDS;

    private AccessToken() {
    }

    /**
     * The token a worker presents when it connects to {@code /agent}: iss = key, nbf = now,
     * exp = now + ttl, video.agent = true. Minted fresh for every connection attempt.
     */
    public static String workerToken(String apiKey, String apiSecret, long nowMillis, Duration ttl) {
        JsonObject claims = timedClaims(apiKey, nowMillis, ttl);
        JsonObject video = new JsonObject();
        video.addProperty("agent", true);
        claims.add("video", video);
        return sign(claims, apiSecret);
    }

    /** A server-API token for one room: what the dispatch API (Twirp) requires, {@code video.roomAdmin}. */
    public static String roomAdminToken(String apiKey, String apiSecret, String room, long nowMillis, Duration ttl) {
        JsonObject claims = timedClaims(apiKey, nowMillis, ttl);
        JsonObject video = new JsonObject();
        video.addProperty("roomAdmin", true);
        video.addProperty("room", room);
        claims.add("video", video);
        return sign(claims, apiSecret);
    }

    /**
     * A participant's token for one room (what a LiveKit server SDK's AccessToken gives): sub =
     * identity, name, video.roomJoin with the room; publish, subscribe and data allowed by default.
     */
    public static String participantToken(String apiKey, String apiSecret, String room, String identity, String name,
                                          long nowMillis, Duration ttl) {
        JsonObject claims = timedClaims(apiKey, nowMillis, ttl);
        claims.addProperty("sub", identity);
        if (name != null && !name.isEmpty()) {
            claims.addProperty("name", name);
        }
        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        video.addProperty("room", room);
        video.addProperty("canUpdateOwnMetadata", true);
        claims.add("video", video);
        return sign(claims, apiSecret);
    }

    /** iss = key, nbf = now, exp = now + ttl (LiveKit requires exp). */
    private static JsonObject timedClaims(String apiKey, long nowMillis, Duration ttl) {
        JsonObject claims = new JsonObject();
        long now = nowMillis / 1000;
        claims.addProperty("iss", apiKey);
        claims.addProperty("nbf", now);
        claims.addProperty("exp", now + ttl.toSeconds());
        return claims;
    }

    /** Signs {@code claims} with HS256. */
    public static String sign(JsonObject claims, String secret) {
        return Jwt.sign(claims, secret);
    }

    /** The claims of a token, without checking the signature. */
    public static JsonObject unverifiedClaims(String token) throws Jwt.InvalidTokenException {
        return Jwt.unverifiedClaims(token);
    }

    /** Verifies like LiveKit's server (HS256, signature, exp required, nbf; 60 s leeway); returns the claims. */
    public static JsonObject verify(String token, String secret, long nowMillis) throws Jwt.InvalidTokenException {
        return Jwt.verify(token, secret, nowMillis);
    }
}
