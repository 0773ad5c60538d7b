package io.lkworker.jwt;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 JSON Web Tokens the way LiveKit's server verifies and issues them, shared by the worker's
 * tokens ({@code io.lkworker.serverlink.AccessToken}) and the embedded server ({@code localserver.auth}).
 * LiveKit's dev secret ("secret") is shorter than JWT libraries allow, so this is done with the
 * JDK's HMAC.
 */
public final class Jwt {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.UTF_8));
    /** The leeway LiveKit's verifier allows on exp and nbf. */
    public static final long LEEWAY_SECONDS = 60;

    private Jwt() {
    }

    /** Signs {@code claims} with HS256. */
    public static String sign(JsonObject claims, String secret) {
        String payload = B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        String signingInput = HEADER + "." + payload;
        return signingInput + "." + B64.encodeToString(hmac(secret, signingInput));
    }

    /** The claims of a token, without checking the signature (to read {@code iss} before looking up a secret). */
    public static JsonObject unverifiedClaims(String token) throws InvalidTokenException {
        String[] parts = split(token);
        try {
            return JsonParser.parseString(new String(B64D.decode(parts[1]), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new InvalidTokenException("invalid authorization token");
        }
    }

    /**
     * Verifies like LiveKit's server: HS256 only, valid signature, {@code exp} required and not past,
     * {@code nbf} not in the future, both with 60 s leeway. Returns the claims.
     */
    public static JsonObject verify(String token, String secret, long nowMillis) throws InvalidTokenException {
        String[] parts = split(token);
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(B64D.decode(parts[0]), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new InvalidTokenException("invalid authorization token");
        }
        if (!header.has("alg") || !"HS256".equals(header.get("alg").getAsString())) {
            throw new InvalidTokenException("invalid authorization token: unexpected signing algorithm");
        }
        byte[] expected = hmac(secret, parts[0] + "." + parts[1]);
        byte[] actual;
        try {
            actual = B64D.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("invalid authorization token: malformed signature");
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new InvalidTokenException("invalid authorization token: signature is invalid");
        }
        JsonObject claims = unverifiedClaims(token);
        long now = nowMillis / 1000;
        if (!claims.has("exp")) {
            throw new InvalidTokenException("invalid authorization token: exp claim is required");
        }
        if (claims.get("exp").getAsLong() + LEEWAY_SECONDS < now) {
            throw new InvalidTokenException("invalid authorization token: token is expired");
        }
        if (claims.has("nbf") && claims.get("nbf").getAsLong() - LEEWAY_SECONDS > now) {
            throw new InvalidTokenException("invalid authorization token: token is not valid yet");
        }
        return claims;
    }

    private static String[] split(String token) throws InvalidTokenException {
        String[] parts = token == null ? new String[0] : token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("invalid authorization token");
        }
        return parts;
    }

    private static byte[] hmac(String secret, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** A token that LiveKit's server refuses; the message is what the server answers. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message);
        }
    }
}
