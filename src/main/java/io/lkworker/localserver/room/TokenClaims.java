package io.lkworker.localserver.room;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.ParticipantPermission;

/**
 * What a room token says about its holder (LiveKit's ClaimGrants): identity, name, metadata,
 * attributes, kind, the video grant's room and permissions, and the room configuration's agents.
 * Unset publish/subscribe/data permissions mean allowed, as on the real server; updating one's own
 * metadata must be granted.
 */
record TokenClaims(String identity, String name, String metadata, Map<String, String> attributes,
                   ParticipantInfo.Kind kind, boolean roomJoin, String room, ParticipantPermission permission,
                   List<AgentDispatchRequest> agents) {

    /** One entry of the token's {@code roomConfig.agents}. */
    record AgentDispatchRequest(String agentName, String metadata) {
    }

    static TokenClaims from(JsonObject claims) {
        JsonObject video = object(claims, "video");
        ParticipantPermission permission = ParticipantPermission.newBuilder()
                .setCanPublish(bool(video, "canPublish", true))
                .setCanSubscribe(bool(video, "canSubscribe", true))
                .setCanPublishData(bool(video, "canPublishData", true))
                .setCanUpdateMetadata(bool(video, "canUpdateOwnMetadata", false))
                .setHidden(bool(video, "hidden", false))
                .setAgent(bool(video, "agent", false))
                .build();
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonObject attrs = object(claims, "attributes");
        if (attrs != null) {
            attrs.entrySet().forEach(e -> attributes.put(e.getKey(), e.getValue().isJsonPrimitive()
                    ? e.getValue().getAsString() : e.getValue().toString()));
        }
        return new TokenClaims(string(claims, "sub"), string(claims, "name"), string(claims, "metadata"),
                Map.copyOf(attributes), kind(string(claims, "kind")), bool(video, "roomJoin", false),
                string(video, "room"), permission, agents(object(claims, "roomConfig")));
    }

    private static List<AgentDispatchRequest> agents(JsonObject roomConfig) {
        List<AgentDispatchRequest> out = new ArrayList<>();
        if (roomConfig == null || !roomConfig.has("agents") || !roomConfig.get("agents").isJsonArray()) {
            return out;
        }
        for (JsonElement e : roomConfig.getAsJsonArray("agents")) {
            if (e.isJsonObject()) {
                JsonObject a = e.getAsJsonObject();
                String name = string(a, "agentName").isEmpty() ? string(a, "agent_name") : string(a, "agentName");
                out.add(new AgentDispatchRequest(name, string(a, "metadata")));
            }
        }
        return out;
    }

    private static ParticipantInfo.Kind kind(String kind) {
        return switch (kind.toLowerCase()) {
            case "agent" -> ParticipantInfo.Kind.AGENT;
            case "sip" -> ParticipantInfo.Kind.SIP;
            case "ingress" -> ParticipantInfo.Kind.INGRESS;
            case "egress" -> ParticipantInfo.Kind.EGRESS;
            default -> ParticipantInfo.Kind.STANDARD;
        };
    }

    /** Agents (and recorders) do not keep a room open (LiveKit's "dependent" participants). */
    boolean dependent() {
        return kind == ParticipantInfo.Kind.AGENT || kind == ParticipantInfo.Kind.EGRESS || permission.getAgent();
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
    }

    private static boolean bool(JsonObject o, String key, boolean absent) {
        JsonElement e = o == null ? null : o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? e.getAsBoolean() : absent;
    }
}
