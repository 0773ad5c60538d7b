package io.lkworker.localserver.agent;

import com.google.gson.JsonObject;
import io.lkworker.jwt.Jwt;
import java.time.Duration;
import java.util.Map;
import livekit.LivekitModels.ParticipantPermission;

/**
 * The room token a JobAssignment carries (livekit/livekit {@code pkg/agent/worker.go} {@code Worker.AssignJob},
 * which calls livekit/protocol {@code BuildAgentToken}): signed with the API key/secret
 * the worker connected with, so the worker can join the room as the identity it chose.
 */
final class AgentJobToken {

    /** The attribute the server adds to the agent participant (underscore; the SDKs add "lk.agent.name"). */
    static final String AGENT_NAME_ATTRIBUTE = "lk.agent_name";

    private AgentJobToken() {
    }

    /** What the server grants when the worker registered without allowed_permissions. */
    static ParticipantPermission defaultPermissions() {
        return ParticipantPermission.newBuilder()
                .setCanSubscribe(true)
                .setCanPublish(true)
                .setCanPublishData(true)
                .setCanUpdateMetadata(true)
                .build();
    }

    static String build(String apiKey, String apiSecret, String roomName, String identity, String name,
            String metadata, Map<String, String> attributes, ParticipantPermission permissions,
            long nowMillis, Duration ttl) {
        long now = nowMillis / 1000;
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", apiKey);
        // Go's claims omit empty strings and maps (omitempty); an empty identity simply has no sub.
        putIfNotEmpty(claims, "sub", identity);
        putIfNotEmpty(claims, "name", name);
        claims.addProperty("kind", "agent");
        putIfNotEmpty(claims, "metadata", metadata);
        if (!attributes.isEmpty()) {
            JsonObject attrs = new JsonObject();
            attributes.forEach(attrs::addProperty);
            claims.add("attributes", attrs);
        }
        claims.addProperty("nbf", now);
        claims.addProperty("iat", now);
        claims.addProperty("exp", now + ttl.toSeconds());

        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        video.addProperty("agent", true);
        putIfNotEmpty(video, "room", roomName);
        // These five are pointers in Go's VideoGrant, so they are always present.
        video.addProperty("canSubscribe", permissions.getCanSubscribe());
        video.addProperty("canPublish", permissions.getCanPublish());
        video.addProperty("canPublishData", permissions.getCanPublishData());
        video.addProperty("canUpdateOwnMetadata", permissions.getCanUpdateMetadata());
        video.addProperty("canSubscribeMetrics", permissions.getCanSubscribeMetrics());
        if (permissions.getHidden()) {
            video.addProperty("hidden", true);
        }
        claims.add("video", video);
        return Jwt.sign(claims, apiSecret);
    }

    private static void putIfNotEmpty(JsonObject o, String name, String value) {
        if (value != null && !value.isEmpty()) {
            o.addProperty(name, value);
        }
    }
}
