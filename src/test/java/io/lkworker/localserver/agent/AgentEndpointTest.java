package io.lkworker.localserver.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.lkworker.localserver.ConnectionAttempt;
import io.lkworker.localserver.Ids;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.TestWorker;
import io.lkworker.localserver.http.Close;
import io.lkworker.serverlink.AccessToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.UpdateWorkerStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPing;
import livekit.LivekitAgent.WorkerStatus;
import livekit.LivekitModels.ServerInfo;
import org.java_websocket.enums.Opcode;
import org.java_websocket.framing.CloseFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /agent endpoint: the auth and upgrade checks, the handshake, framing, and the registration phase rules. */
class AgentEndpointTest {

    private static final Duration WAIT = TestWorker.WAIT;
    private static final String ID_PATTERN = "[" + Ids.ALPHABET + "]{12}";

    private LocalLiveKitServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder()
                .wsPingInterval(Duration.ofMillis(100))
                .availabilityTimeout(Duration.ofSeconds(3))
                .build()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void registerIsAnsweredWithANewWorkerIdAndTheServerInfo() throws Exception {
        TestWorker worker = TestWorker.connect(server);
        RegisterWorkerResponse resp = worker.register(RegisterWorkerRequest.newBuilder()
                .setType(JobType.JT_PUBLISHER).setAgentName("my-agent").setVersion("1.2.3").build());

        assertThat(resp.getWorkerId()).matches("AW_" + ID_PATTERN);
        ServerInfo info = resp.getServerInfo();
        assertThat(info.getEdition()).isEqualTo(ServerInfo.Edition.Standard);
        assertThat(info.getVersion()).isEqualTo("1.13.5");
        assertThat(info.getProtocol()).isEqualTo(17);
        assertThat(info.getAgentProtocol()).isEqualTo(1);
        assertThat(info.getNodeId()).isEqualTo(server.nodeId()).matches("ND_" + ID_PATTERN);

        WorkerHandle handle = server.awaitWorker(WAIT);
        assertThat(handle.workerId()).isEqualTo(resp.getWorkerId());
        assertThat(handle.registration().getAgentName()).isEqualTo("my-agent");
        assertThat(handle.registration().getType()).isEqualTo(JobType.JT_PUBLISHER);
        assertThat(handle.status()).isEqualTo(WorkerStatus.WS_AVAILABLE);
        assertThat(handle.apiKey()).isEqualTo("devkey");
        assertThat(server.awaitMessage(WorkerMessage::hasRegister, WAIT).workerId()).isEqualTo(resp.getWorkerId());

        TestWorker second = TestWorker.registered(server, "my-agent");
        assertThat(server.awaitWorker(w -> !w.workerId().equals(resp.getWorkerId()), WAIT).workerId())
                .isNotEqualTo(resp.getWorkerId());
        assertThat(server.workers()).hasSize(2);
        worker.close();
        second.close();
    }

    @Test
    void registrationMayArriveInFragments() throws Exception {
        TestWorker worker = TestWorker.connect(server);
        byte[] bytes = WorkerMessage.newBuilder().setRegister(RegisterWorkerRequest.newBuilder()
                .setAgentName("fragmented").setVersion("x")).build().toByteArray();
        int half = bytes.length / 2;
        worker.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(bytes, 0, half), false);
        // Java-WebSocket turns the second call into a continuation frame
        worker.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(bytes, half, bytes.length - half), true);
        assertThat(worker.next().hasRegister()).isTrue();
        assertThat(server.awaitWorker(WAIT).registration().getAgentName()).isEqualTo("fragmented");
    }

    @Test
    void workerPingIsAnsweredWithPongEvenBeforeRegistration() throws Exception {
        TestWorker worker = TestWorker.connect(server);
        long before = System.currentTimeMillis();
        worker.send(WorkerMessage.newBuilder().setPing(WorkerPing.newBuilder().setTimestamp(1234)).build());
        ServerMessage reply = worker.next();
        assertThat(reply.hasPong()).isTrue();
        assertThat(reply.getPong().getLastTimestamp()).isEqualTo(1234);
        assertThat(reply.getPong().getTimestamp()).isGreaterThanOrEqualTo(before);
        assertThat(worker.register("a").getWorkerId()).startsWith("AW_");
    }

    @Test
    void serverSendsWebSocketPings() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        await().atMost(WAIT).until(() -> worker.pingsReceived.get() >= 2);
        assertThat(worker.isOpen()).isTrue();
    }

    @Test
    void clientPingsAreAnsweredWithPongs() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        worker.sendPing();
        await().atMost(WAIT).until(() -> worker.pongsReceived.get() >= 1);
    }

    @Test
    void textFramesSwitchTheConnectionToProtojson() throws Exception {
        TestWorker worker = TestWorker.connect(server);
        worker.send("{\"register\":{\"agentName\":\"json-agent\",\"type\":\"JT_ROOM\"},\"unknownField\":1}");
        String reply = worker.nextText();
        assertThat(reply).contains("\"workerId\"").contains("\"serverInfo\"");
        assertThat(server.awaitWorker(WAIT).registration().getAgentName()).isEqualTo("json-agent");
    }

    @Test
    void workerStatusIsReplacedOnlyWhenPresentAndLoadAlways() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        worker.send(WorkerMessage.newBuilder().setUpdateWorker(UpdateWorkerStatus.newBuilder()
                .setStatus(WorkerStatus.WS_FULL).setLoad(0.5f)).build());
        await().atMost(WAIT).until(() -> handle.status() == WorkerStatus.WS_FULL);
        worker.send(WorkerMessage.newBuilder().setUpdateWorker(UpdateWorkerStatus.newBuilder().setLoad(0.25f)).build());
        await().atMost(WAIT).until(() -> handle.load() == 0.25f);
        assertThat(handle.status()).isEqualTo(WorkerStatus.WS_FULL);
    }

    // ---- refusals -----------------------------------------------------------------------------

    @Test
    void refusesTokensLikeTheAuthMiddleware() throws Exception {
        long now = System.currentTimeMillis();
        Duration ttl = Duration.ofHours(6);
        assertRefused("Bearer " + AccessToken.workerToken("devkey", "wrong", now, ttl),
                "invalid authorization token: signature is invalid");
        assertRefused("Bearer " + AccessToken.workerToken("nokey", "secret", now, ttl), "invalid API key");
        assertRefused("Bearer " + AccessToken.workerToken("devkey", "secret", now - Duration.ofHours(7).toMillis(), ttl),
                "invalid authorization token: token is expired");
        assertRefused("Bearer not-a-jwt", "invalid authorization token");
        assertRefused("Basic abc", "invalid authorization header. Must start with Bearer ");
        assertThat(server.connectionAttempts()).hasSize(5).allMatch(a -> a.status() == 401);
    }

    private void assertRefused(String authorization, String body) throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/agent"))
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(401);
        assertThat(resp.body()).isEqualTo(body);
        assertThat(resp.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    }

    @Test
    void plainGetWithAValidTokenIs404WithEmptyBody() throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/agent?protocol=1"))
                .header("Authorization", "Bearer " + validToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(404);
        assertThat(resp.body()).isEmpty();

        // the upgrade check comes before the permission check: no token is still 404 here
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/agent"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(404);
    }

    @Test
    void upgradeWithoutAgentGrantOrWithoutTokenIsPermissionDenied() throws Exception {
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", "devkey");
        claims.addProperty("exp", System.currentTimeMillis() / 1000 + 600);
        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        claims.add("video", video);
        String noAgent = AccessToken.sign(claims, "secret");

        RawHttp.Response withoutGrant = RawHttp.exchange(server.port(),
                RawHttp.upgradeRequest("/agent", "Bearer " + noAgent, "dGhlIHNhbXBsZSBub25jZQ=="));
        assertThat(withoutGrant.status()).isEqualTo(401);
        assertThat(withoutGrant.body()).isEqualTo("permissions denied");

        RawHttp.Response withoutToken = RawHttp.exchange(server.port(),
                RawHttp.upgradeRequest("/agent", null, "dGhlIHNhbXBsZSBub25jZQ=="));
        assertThat(withoutToken.status()).isEqualTo(401);
        assertThat(withoutToken.body()).isEqualTo("permissions denied");
    }

    @Test
    void upgradeAnswerHasTheRfcAcceptKeyAndNoSubprotocolOrExtension() throws Exception {
        RawHttp.Response resp = RawHttp.exchange(server.port(),
                RawHttp.upgradeRequest("//agent?protocol=1&worker_token=x", "Bearer " + validToken(),
                        "dGhlIHNhbXBsZSBub25jZQ=="));
        assertThat(resp.status()).isEqualTo(101);
        assertThat(resp.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(resp.header("Sec-WebSocket-Protocol")).isNull();
        assertThat(resp.header("Sec-WebSocket-Extensions")).isNull();
        assertThat(server.connectionAttempts()).extracting(ConnectionAttempt::status).containsExactly(101);
    }

    @Test
    void tokenMayComeFromTheAccessTokenQueryParameter() throws Exception {
        TestWorker worker = new TestWorker(URI.create(server.url() + "/agent?access_token=" + validToken()), Map.of());
        assertThat(worker.connectBlocking(5, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.register("q").getWorkerId()).startsWith("AW_");
    }

    @Test
    void refusedUpgradesCanBeSwitchedOnAndOff() throws Exception {
        server.refuseUpgrades(503, "overloaded");
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/agent"))
                .header("Authorization", "Bearer " + validToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(503);
        assertThat(resp.body()).isEqualTo("overloaded");
        TestWorker refused = new TestWorker(URI.create(server.url() + "/agent"), Map.of("Authorization", "Bearer " + validToken()));
        assertThat(refused.connectBlocking(5, TimeUnit.SECONDS)).isFalse();

        server.acceptUpgrades();
        TestWorker.registered(server, "");
        assertThat(server.connectionAttempts()).extracting(ConnectionAttempt::status).containsExactly(503, 503, 101);
    }

    @Test
    void healthCheckAndUnknownPaths() throws Exception {
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("OK");
        for (String path : new String[] {"/agent/", "/rtc", "/agentx"}) {
            HttpResponse<String> nf = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + path))
                    .header("Authorization", "Bearer " + validToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(nf.statusCode()).as(path).isEqualTo(404);
        }
    }

    // ---- protocol violations: the server drops the TCP connection without a close frame ------

    @Test
    void messageOtherThanRegisterOrPingBeforeRegistrationClosesAbruptly() throws Exception {
        TestWorker worker = TestWorker.connect(server);
        worker.send(WorkerMessage.newBuilder().setUpdateWorker(UpdateWorkerStatus.newBuilder().setLoad(0.1f)).build());
        assertAbruptClose(worker);
        assertThat(server.workers()).isEmpty();
        assertThat(server.messages()).singleElement().matches(m -> m.message().hasUpdateWorker());
    }

    @Test
    void secondRegisterClosesAbruptly() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        worker.send(WorkerMessage.newBuilder().setRegister(RegisterWorkerRequest.getDefaultInstance()).build());
        assertAbruptClose(worker);
        handle.closed().get(5, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> server.workers().isEmpty());
    }

    @Test
    void emptyOrUndecodableMessagesCloseAbruptly() throws Exception {
        TestWorker empty = TestWorker.registered(server, "");
        empty.send(WorkerMessage.getDefaultInstance());
        assertAbruptClose(empty);

        TestWorker garbage = TestWorker.connect(server);
        garbage.send(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertAbruptClose(garbage);
    }

    @Test
    void invalidDeploymentOrJobTypeClosesAbruptly() throws Exception {
        // deployment (field 9) is newer than the compiled protos: send it as an unknown field
        RegisterWorkerRequest withDeployment = RegisterWorkerRequest.newBuilder().setVersion("1")
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(9, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8("bad_name")).build()).build())
                .build();
        TestWorker badDeployment = TestWorker.connect(server);
        badDeployment.send(WorkerMessage.newBuilder().setRegister(withDeployment).build());
        assertAbruptClose(badDeployment);

        TestWorker badType = TestWorker.connect(server);
        badType.send(WorkerMessage.newBuilder().setRegister(RegisterWorkerRequest.newBuilder().setTypeValue(7)).build());
        assertAbruptClose(badType);

        RegisterWorkerRequest good = withDeployment.toBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(9, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8("blue")).build()).build()).build();
        TestWorker.connect(server).register(good);
        assertThat(server.awaitWorker(WAIT).deployment()).isEqualTo("blue");
    }

    @Test
    void noRegisterWithinTheDeadlineClosesAbruptly() throws Exception {
        try (LocalLiveKitServer impatient = LocalLiveKitServer.create(ServerConfig.builder()
                .registerTimeout(Duration.ofMillis(300)).build()).start()) {
            TestWorker silent = TestWorker.connect(impatient);
            assertAbruptClose(silent);
            assertThat(impatient.messages()).isEmpty();
        }
    }

    @Test
    void messagesOverTwoMebibytesCloseAbruptly() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        worker.send(new byte[(2 << 20) + 1]);
        assertAbruptClose(worker);
    }

    @Test
    void closeFrameFromTheWorkerIsEchoed() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        worker.closeBlocking();
        TestWorker.CloseInfo info = worker.awaitClose();
        assertThat(info.code()).isEqualTo(CloseFrame.NORMAL);
        handle.closed().get(5, TimeUnit.SECONDS);
        assertThat(handle.isOpen()).isFalse();
    }

    @Test
    void serverClosesWorkersAbruptlyOrWithACloseFrame() throws Exception {
        TestWorker a = TestWorker.registered(server, "");
        String idA = server.awaitWorker(WAIT).workerId();
        TestWorker b = TestWorker.registered(server, "");
        String idB = server.awaitWorker(w -> !w.workerId().equals(idA), WAIT).workerId();

        assertThat(server.closeWorker(idA, Close.ABRUPT)).isTrue();
        assertAbruptClose(a);
        assertThat(server.closeWorker(idB, Close.GOING_AWAY)).isTrue();
        TestWorker.CloseInfo info = b.awaitClose();
        assertThat(info.code()).isEqualTo(CloseFrame.GOING_AWAY);
        assertThat(info.remote()).isTrue();
        assertThat(server.closeWorker("AW_unknown", Close.ABRUPT)).isFalse();

        TestWorker c = TestWorker.registered(server, "");
        TestWorker d = TestWorker.connect(server); // not registered yet: drained too
        await().atMost(WAIT).until(() -> server.workers().size() == 1);
        assertThat(server.closeAllAbruptly()).isEqualTo(2);
        assertAbruptClose(c);
        assertAbruptClose(d);
    }

    private static void assertAbruptClose(TestWorker worker) {
        TestWorker.CloseInfo info = worker.awaitClose();
        assertThat(info.code()).as("abnormal closure, no close frame").isEqualTo(CloseFrame.ABNORMAL_CLOSE);
    }

    private static String validToken() {
        return AccessToken.workerToken("devkey", "secret", System.currentTimeMillis(), Duration.ofHours(1));
    }
}
