package io.lkworker.webrtc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.onvoid.webrtc.RTCIceCandidate;

/**
 * ICE candidates as LiveKit's trickle messages carry them: a JSON {@code RTCIceCandidateInit}
 * ({@code candidate}, {@code sdpMid}, {@code sdpMLineIndex}, optional {@code usernameFragment}),
 * the shape browsers produce and pion parses. The Rust client refuses null mids and indexes, so
 * both are always written.
 */
public final class IceCandidates {

    private IceCandidates() {
    }

    public static String toJson(RTCIceCandidate candidate) {
        JsonObject o = new JsonObject();
        o.addProperty("candidate", candidate.sdp);
        o.addProperty("sdpMid", candidate.sdpMid == null ? "0" : candidate.sdpMid);
        o.addProperty("sdpMLineIndex", candidate.sdpMLineIndex);
        return o.toString();
    }

    /** Parses a trickled candidate; throws {@link IllegalArgumentException} with the reason if malformed. */
    public static RTCIceCandidate fromJson(String json) {
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) {
                throw new IllegalArgumentException("ICE candidate is not a JSON object");
            }
            JsonObject o = parsed.getAsJsonObject();
            String candidate = string(o, "candidate");
            if (candidate == null) {
                throw new IllegalArgumentException("ICE candidate has no 'candidate' field");
            }
            if (candidate.startsWith("a=")) {
                candidate = candidate.substring(2);
            }
            String mid = string(o, "sdpMid");
            int index = o.has("sdpMLineIndex") && !o.get("sdpMLineIndex").isJsonNull()
                    ? o.get("sdpMLineIndex").getAsInt() : 0;
            return new RTCIceCandidate(mid == null ? "" : mid, index, candidate);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException("malformed ICE candidate JSON: " + e.getMessage(), e);
        }
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }
}
