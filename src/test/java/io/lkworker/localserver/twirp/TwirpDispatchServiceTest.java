package io.lkworker.localserver.twirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.TestWorker;
import io.lkworker.serverlink.AccessToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPing;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AgentDispatchService over Twirp, JSON as curl sends it and protobuf as the server SDKs do. */
class TwirpDispatchServiceTest {

    private static final Duration WAIT = TestWorker.WAIT;
    private static final String JSON = "application/json";
    private static final String PROTOBUF = "application/protobuf";

    private LocalLiveKitServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3)).build()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createDispatchWithAJsonBodyOffersTheJobAndListDispatchShowsIt() throws Exception {
        TestWorker worker = TestWorker.registered(server, "my-agent");
        Reply resp = post("CreateDispatch", JSON, adminToken("room-a"),
                "{\"agentName\":\"my-agent\",\"room\":\"room-a\",\"metadata\":\"hello\"}");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.contentType()).isEqualTo(JSON);
        JsonObject dispatch = JsonParser.parseString(resp.body()).getAsJsonObject();
        String dispatchId = dispatch.get("id").getAsString();
        assertThat(dispatchId).startsWith("AD_");
        assertThat(dispatch.get("agent_name").getAsString()).isEqualTo("my-agent");
        assertThat(dispatch.get("room").getAsString()).isEqualTo("room-a");
        assertThat(dispatch.get("metadata").getAsString()).isEqualTo("hello");
        assertThat(dispatch.has("restart_policy")).as("defaults are emitted").isTrue();
        assertThat(dispatch.getAsJsonObject("state").getAsJsonArray("jobs")).isEmpty();

        Job job = worker.nextAvailability().getJob();
        assertThat(job.getDispatchId()).isEqualTo(dispatchId);
        assertThat(job.getAgentName()).isEqualTo("my-agent");
        assertThat(job.getRoom().getName()).isEqualTo("room-a");
        assertThat(job.getMetadata()).isEqualTo("hello");
        worker.answer(accept(job));
        assertThat(worker.next().hasAssignment()).isTrue();

        await().atMost(WAIT).untilAsserted(() -> {
            Reply list = post("ListDispatch", JSON, adminToken("room-a"), "{\"room\":\"room-a\"}");
            assertThat(list.statusCode()).isEqualTo(200);
            JsonArray dispatches = JsonParser.parseString(list.body()).getAsJsonObject().getAsJsonArray("agent_dispatches");
            assertThat(dispatches).hasSize(1);
            JsonArray jobs = dispatches.get(0).getAsJsonObject().getAsJsonObject("state").getAsJsonArray("jobs");
            assertThat(jobs).hasSize(1);
            assertThat(jobs.get(0).getAsJsonObject().get("id").getAsString()).isEqualTo(job.getId());
            assertThat(jobs.get(0).getAsJsonObject().getAsJsonObject("state").get("participant_identity").getAsString())
                    .isEqualTo("agent-" + job.getId());
        });
        assertThat(server.dispatches("room-a")).singleElement().extracting(AgentDispatch::getId).isEqualTo(dispatchId);
    }

    @Test
    void createDispatchWithAProtobufBodyAndProtoFieldNamesInJson() throws Exception {
        TestWorker worker = TestWorker.registered(server, "proto-agent");
        Reply resp = post("CreateDispatch", PROTOBUF, adminToken("room-p"),
                CreateAgentDispatchRequest.newBuilder().setAgentName("proto-agent").setRoom("room-p").build().toByteArray());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.contentType()).isEqualTo(PROTOBUF);
        AgentDispatch dispatch = AgentDispatch.parseFrom(resp.bytes());
        assertThat(dispatch.getId()).startsWith("AD_");
        Job job = worker.nextAvailability().getJob();
        assertThat(job.getDispatchId()).isEqualTo(dispatch.getId());
        worker.answer(accept(job));
        assertThat(worker.next().hasAssignment()).isTrue();

        Reply second = post("CreateDispatch", JSON, adminToken("room-p"),
                "{\"agent_name\":\"proto-agent\",\"room\":\"room-p\"}");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(worker.nextAvailability().getJob().getAgentName()).isEqualTo("proto-agent");

        Reply list = post("ListDispatch", PROTOBUF, adminToken("room-p"),
                ListAgentDispatchRequest.newBuilder().setRoom("room-p").setDispatchId(dispatch.getId()).build().toByteArray());
        assertThat(ListAgentDispatchResponse.parseFrom(list.bytes()).getAgentDispatchesList())
                .extracting(AgentDispatch::getId).containsExactly(dispatch.getId());
    }

    @Test
    void requestsWithoutRoomAdminAreUnauthenticated() throws Exception {
        String body = "{\"agentName\":\"a\",\"room\":\"room-a\"}";
        assertTwirpError(post("CreateDispatch", JSON, null, body), 401, "unauthenticated", "permissions denied:"
                + " CreateDispatch needs an access token (Authorization: Bearer) whose video grant has roomAdmin");

        JsonObject claims = baseClaims();
        claims.add("video", new JsonObject());
        assertTwirpError(post("CreateDispatch", JSON, AccessToken.sign(claims, "secret"), body),
                401, "unauthenticated", "permissions denied: CreateDispatch needs a token whose video grant has"
                        + " roomAdmin; this one's has not");
        // A job's token (roomJoin, as ctx.token() is) used for the server API: the message says what it is.
        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        video.addProperty("room", "room-a");
        claims.add("video", video);
        assertTwirpError(post("CreateDispatch", JSON, AccessToken.sign(claims, "secret"), body),
                401, "unauthenticated", "permissions denied: CreateDispatch needs a token whose video grant has"
                        + " roomAdmin; this one's has not (it is a participant's or a job's room token, which may"
                        + " join its room only)");
        assertTwirpError(post("CreateDispatch", JSON, adminToken("other-room"), body), 401, "unauthenticated",
                "permissions denied: roomAdmin on room 'room-a' needs a token whose video grant names that room"
                        + " (this one names 'other-room')");
        // No room in the grant is no wildcard (LiveKit's EnsureAdminPermission compares the rooms).
        String noRoom = "permissions denied: roomAdmin on room 'room-a' needs a token whose video grant names that room"
                + " (this one names none)";
        assertTwirpError(post("CreateDispatch", JSON, adminToken(""), body), 401, "unauthenticated", noRoom);
        assertTwirpError(post("ListDispatch", JSON, adminToken(""), "{\"room\":\"room-a\"}"), 401, "unauthenticated",
                noRoom);
        assertTwirpError(post("CreateDispatch", JSON, AccessToken.sign(adminClaims(""), "wrong"), body),
                401, "unauthenticated", "invalid authorization token: signature is invalid");
        assertThat(server.dispatches("room-a")).isEmpty();
    }

    @Test
    void malformedBodiesAndMissingRoomAreBadRequests() throws Exception {
        assertTwirpError(post("CreateDispatch", JSON, adminToken(""), "{not json"), 400, "malformed",
                "the json request could not be decoded");
        assertTwirpError(post("CreateDispatch", PROTOBUF, adminToken(""),
                new byte[] {(byte) 0xFF, (byte) 0xFF}), 400, "malformed", "the protobuf request could not be decoded");
        assertTwirpError(post("CreateDispatch", JSON, adminToken(""), "{\"agentName\":\"a\"}"), 400,
                "invalid_argument", "room is required");
    }

    @Test
    void unknownMethodsAndWrongContentTypesAreBadRoutes() throws Exception {
        assertThat(JsonParser.parseString(post("Nope", JSON, adminToken(""), "{}").body()).getAsJsonObject()
                .get("code").getAsString()).isEqualTo("bad_route");
        Reply wrongType = post("ListDispatch", "text/plain", adminToken(""), "{\"room\":\"r\"}");
        assertThat(wrongType.statusCode()).isEqualTo(404);
        assertThat(wrongType.body()).contains("bad_route");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(twirpUri("ListDispatch")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(get.body()).contains("bad_route");
    }

    @Test
    void deleteDispatchTerminatesItsJobsAndUnknownIdsAreNotFound() throws Exception {
        assertTwirpError(post("DeleteDispatch", JSON, adminToken("room-d"), "{\"dispatchId\":\"AD_nope\",\"room\":\"room-d\"}"),
                404, "not_found", "dispatch ID not found");

        TestWorker worker = TestWorker.registered(server, "del-agent");
        AgentDispatch dispatch = server.createDispatch("room-d", "del-agent", "");
        Job job = worker.nextAvailability().getJob();
        worker.answer(accept(job));
        assertThat(worker.next().hasAssignment()).isTrue();
        await().atMost(WAIT).until(() -> server.dispatches("room-d").get(0).getState().getJobsCount() == 1);

        Reply deleted = post("DeleteDispatch", JSON, adminToken("room-d"),
                "{\"dispatch_id\":\"" + dispatch.getId() + "\",\"room\":\"room-d\"}");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(JsonParser.parseString(deleted.body()).getAsJsonObject().get("id").getAsString()).isEqualTo(dispatch.getId());
        ServerMessage termination = worker.next();
        assertThat(termination.hasTermination()).isTrue();
        assertThat(termination.getTermination().getJobId()).isEqualTo(job.getId());
        assertThat(server.dispatches("room-d")).isEmpty();
    }

    @Test
    void dispatchForAnAgentNobodyServesCreatesNoJob() throws Exception {
        TestWorker other = TestWorker.registered(server, "someone-else");
        Reply resp = post("CreateDispatch", JSON, adminToken("room-g"), "{\"agentName\":\"ghost\",\"room\":\"room-g\"}");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(server.dispatches("room-g")).hasSize(1);

        TestWorker ghost = TestWorker.registered(server, "ghost"); // too late: the real server never retries
        assertNothingSent(ghost);
        assertNothingSent(other);
        assertThat(server.dispatches("room-g").get(0).getState().getJobsCount()).isZero();
    }

    @Test
    void withTheKnobUnservedDispatchesAreOfferedWhenAWorkerRegisters() throws Exception {
        try (LocalLiveKitServer dev = LocalLiveKitServer.create(ServerConfig.builder()
                .offerUnservedDispatches(true).build()).start()) {
            AgentDispatch dispatch = dev.createDispatch("room-late", "late-agent", "m");
            TestWorker worker = TestWorker.registered(dev, "late-agent");
            Job job = worker.nextAvailability().getJob();
            assertThat(job.getDispatchId()).isEqualTo(dispatch.getId());
            assertThat(job.getMetadata()).isEqualTo("m");
        }
    }

    @Test
    void createRoomLaunchesTheAutomaticDispatchJob() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        var room = server.createRoom("auto-room");
        Job job = worker.nextAvailability().getJob();
        assertThat(job.getRoom().getSid()).isEqualTo(room.getSid());
        assertThat(job.getAgentName()).isEmpty();
        assertThat(server.dispatches("auto-room")).singleElement()
                .satisfies(d -> assertThat(d.getAgentName()).isEmpty());
        assertThat(server.createRoom("auto-room").getSid()).as("existing room, no new dispatch").isEqualTo(room.getSid());
        assertThat(server.dispatches("auto-room")).hasSize(1);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** A Twirp answer: status, content type and body. */
    private record Reply(int statusCode, String contentType, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private Reply post(String method, String contentType, String token, String body) throws Exception {
        return post(method, contentType, token, body.getBytes(StandardCharsets.UTF_8));
    }

    private Reply post(String method, String contentType, String token, byte[] body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(twirpUri(method))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), resp.body());
    }

    private URI twirpUri(String method) {
        return URI.create(server.httpUrl() + "/twirp/livekit.AgentDispatchService/" + method);
    }

    private static void assertTwirpError(Reply resp, int status, String code, String msg) {
        assertThat(resp.statusCode()).isEqualTo(status);
        assertThat(resp.contentType()).isEqualTo(JSON);
        JsonObject error = JsonParser.parseString(resp.body()).getAsJsonObject();
        assertThat(error.get("code").getAsString()).isEqualTo(code);
        assertThat(error.get("msg").getAsString()).isEqualTo(msg);
    }

    private static JsonObject baseClaims() {
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", "devkey");
        claims.addProperty("exp", System.currentTimeMillis() / 1000 + 600);
        return claims;
    }

    private static JsonObject adminClaims(String room) {
        JsonObject claims = baseClaims();
        JsonObject video = new JsonObject();
        video.addProperty("roomAdmin", true);
        if (!room.isEmpty()) {
            video.addProperty("room", room);
        }
        claims.add("video", video);
        return claims;
    }

    /** roomAdmin for {@code room} (none when empty). */
    private static String adminToken(String room) {
        return AccessToken.sign(adminClaims(room), "secret");
    }

    private static AvailabilityResponse accept(Job job) {
        return AvailabilityResponse.newBuilder().setJobId(job.getId()).setAvailable(true)
                .setParticipantIdentity("agent-" + job.getId()).build();
    }

    private static void assertNothingSent(TestWorker worker) {
        worker.send(WorkerMessage.newBuilder().setPing(WorkerPing.newBuilder().setTimestamp(7)).build());
        assertThat(worker.next().hasPong()).isTrue();
    }
}
