package io.lkworker.console;

import com.google.gson.JsonObject;
import io.lkworker.config.ConfigDefaults;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.worker.AcceptArguments;
import io.lkworker.worker.JobLaunch;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import livekit.LivekitAgent;
import livekit.LivekitModels;

/**
 * The one job {@code lk-worker console} runs, made up locally since there is no server: a JT_ROOM
 * job with an {@code AJ_console…} id, a room of the given name and the given metadata.
 *
 * <p>The job's URL is the console's own embedded server (see {@code ConsoleCommand}); the room token
 * is signed with LiveKit's dev credentials (devkey/secret), which that server accepts.
 *
 * @param room room name
 * @param metadata job (dispatch) metadata
 * @param agentName the agent name the job is "dispatched" to ("" = automatic dispatch)
 */
public record ConsoleJob(String room, String metadata, String agentName) {

    public static final String DEFAULT_ROOM = "console";
    /** The id of the pretend worker connection (no server gave one). */
    public static final String WORKER_ID = "AW_console";
    /** What LiveKit gives job tokens; a console session rarely needs longer. */
    static final Duration TOKEN_TTL = Duration.ofHours(1);
    /** The participant attribute every accepted agent carries, as the worker sets it. */
    static final String AGENT_NAME_ATTRIBUTE = "lk.agent.name";

    private static final SecureRandom RANDOM = new SecureRandom();

    public ConsoleJob {
        room = room == null || room.isBlank() ? DEFAULT_ROOM : room;
        metadata = Objects.requireNonNullElse(metadata, "");
        agentName = Objects.requireNonNullElse(agentName, "");
    }

    /** The job as a server would offer it; every call makes a new id. */
    LivekitAgent.Job toProto(long nowMillis) {
        String suffix = HexFormat.of().formatHex(randomBytes(6));
        return LivekitAgent.Job.newBuilder()
                .setId("AJ_console" + suffix)
                .setDispatchId("AD_console" + suffix)
                .setType(LivekitAgent.JobType.JT_ROOM)
                .setRoom(LivekitModels.Room.newBuilder()
                        .setSid("RM_console" + suffix)
                        .setName(room)
                        .setCreationTime(nowMillis / 1000)
                        .setCreationTimeMs(nowMillis))
                .setMetadata(metadata)
                .setAgentName(agentName)
                .build();
    }

    /** What the executor gets once the agent accepted, to join the room on the server at {@code url}. */
    JobLaunch launch(LivekitAgent.Job job, AcceptArguments accept, String url, long nowMillis) {
        return new JobLaunch(job, url, token(job, accept, nowMillis), WORKER_ID, accept);
    }

    /** A room-join token for the agent, signed with the dev credentials the embedded server accepts. */
    static String token(LivekitAgent.Job job, AcceptArguments accept, long nowMillis) {
        long now = nowMillis / 1000;
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", ConfigDefaults.DEV_API_KEY);
        claims.addProperty("sub", accept.identity());
        claims.addProperty("name", accept.name());
        // As the server's job tokens (localserver/agent/AgentJobToken.java, after livekit-server's
        // agent dispatch): without kind=agent the room shows the agent to others as a standard participant.
        claims.addProperty("kind", "agent");
        if (!accept.metadata().isEmpty()) {
            claims.addProperty("metadata", accept.metadata());
        }
        if (!accept.attributes().isEmpty()) {
            JsonObject attributes = new JsonObject();
            accept.attributes().forEach(attributes::addProperty);
            claims.add("attributes", attributes);
        }
        claims.addProperty("nbf", now);
        claims.addProperty("exp", now + TOKEN_TTL.toSeconds());
        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        video.addProperty("room", job.getRoom().getName());
        video.addProperty("agent", true);
        claims.add("video", video);
        return AccessToken.sign(claims, ConfigDefaults.DEV_API_SECRET);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
