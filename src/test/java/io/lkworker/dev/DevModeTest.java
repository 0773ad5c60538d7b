package io.lkworker.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.config.WorkerConfig;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.agent.WorkerHandle;
import io.lkworker.runner.AgentLoader;
import io.lkworker.testing.TestConfigs;
import io.lkworker.testing.TestJars;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import livekit.LivekitAgent;
import livekit.LivekitAgentDispatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lk-worker dev}: the embedded server, hot reload of a rebuilt agent jar without dropping the
 * connection, and dispatch through the Twirp API — all with real jars, real file watching and a real
 * loopback WebSocket.
 */
class DevModeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private DevRunner dev;

    @AfterEach
    void stop() {
        if (dev != null) {
            dev.close();
        }
    }

    /** An agent that records "<job id>.<version>" = identity, then stays until shut down. */
    private static String agentSource(String version) {
        return """
                package devtest;
                import java.nio.file.*;
                public class DevAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        Path dir = Path.of(ctx.job().metadata());
                        // Written aside, then moved: the test must never read a half-written marker.
                        Path tmp = dir.resolve(ctx.job().id() + ".VERSION.tmp");
                        Files.writeString(tmp, ctx.participantIdentity() + "\\n" + ctx.token());
                        Files.move(tmp, dir.resolve(ctx.job().id() + ".VERSION"), StandardCopyOption.ATOMIC_MOVE);
                        ctx.awaitShutdown();
                    }
                }
                """.replace("VERSION", version);
    }

    private Path buildAgent(Path jar, String version) {
        return TestJars.builder().source("devtest.DevAgent", agentSource(version)).agentService("devtest.DevAgent")
                .build(jar);
    }

    private DevRunner startDev(Path jar, WorkerConfig.ExecutorKind executor, boolean restartJobs) throws Exception {
        WorkerConfig config = TestConfigs.config(null, b -> {
            b.agentJar = jar;
            b.agentName = "";
            b.executor = executor;
            b.idle = 1;
            b.runDir = tmp.resolve("run");
            b.mode = WorkerConfig.Mode.DEV;
            return b;
        });
        DevOptions options = new DevOptions(0, List.of(), restartJobs, null, "", Duration.ofMillis(200));
        dev = DevRunner.start(config, AgentLoader.load(jar, null), options);
        dev.embeddedServer().awaitWorker(WAIT);
        return dev;
    }

    /** Issue 20, item 5: a busy --dev-server-port is reported with the port and the options to change. */
    @Test
    void aBusyDevServerPortNamesThePortAndTheOption() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        WorkerConfig config = TestConfigs.config(null, b -> {
            b.agentJar = jar;
            b.agentName = "";
            b.executor = WorkerConfig.ExecutorKind.THREAD;
            b.idle = 0;
            b.runDir = tmp.resolve("run");
            b.mode = WorkerConfig.Mode.DEV;
            return b;
        });
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int port = taken.getLocalPort();
            DevOptions options = new DevOptions(port, List.of(), true, null, "", Duration.ofMillis(200));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevRunner.start(config, AgentLoader.load(jar, null), options))
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageStartingWith("--dev-server-port: cannot listen on port " + port + " for the embedded")
                    .hasMessageContaining("give another port with --dev-server-port PORT")
                    .hasMessageContaining("--url ws://127.0.0.1:" + port);
        }
    }

    /**
     * Issue 20, item 6: the printed dispatch hint names the server, so it reaches this dev server as
     * printed on any port and in a shell that exports LIVEKIT_URL.
     */
    @Test
    void theDispatchHintNamesTheEmbeddedServer() {
        assertThat(DevRunner.dispatchHint(7990, "")).isEqualTo("lk-worker dispatch --url http://127.0.0.1:7990 --room my-room");
        assertThat(DevRunner.dispatchHint(7880, "bot")).isEqualTo(
                "lk-worker dispatch --url http://127.0.0.1:7880 --room my-room --agent-name bot");
    }

    private Path markers() throws IOException {
        return Files.createDirectories(tmp.resolve("markers"));
    }

    private static Optional<String> marker(Path dir, String jobId, String version) throws IOException {
        Path file = dir.resolve(jobId + "." + version);
        return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
    }

    private String dispatch(LocalLiveKitServer server, Path markerDir) {
        LivekitAgentDispatch.AgentDispatch d = server.createDispatch("room-" + System.nanoTime(), "", markerDir.toString());
        await().atMost(WAIT).until(() -> !server.dispatches(d.getRoom()).get(0).getState().getJobsList().isEmpty());
        return server.dispatches(d.getRoom()).get(0).getState().getJobs(0).getId();
    }

    @Test
    @Tag("process")
    void rebuildingTheJarRestartsTheRunningJobOnTheNewCodeAsTheSameParticipantWithoutReconnecting()
            throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.PROCESS, true);
        LocalLiveKitServer server = dev.embeddedServer();
        String workerId = server.awaitWorker(WAIT).workerId();
        Path markers = markers();
        String jobId = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, jobId, "v1").isPresent());
        String[] v1 = marker(markers, jobId, "v1").orElseThrow().split("\n");
        // Token times are whole seconds: a token re-signed within the second it was issued in is
        // byte for byte the original. Rebuild once the clock has left that second.
        long issued = io.lkworker.serverlink.AccessToken.unverifiedClaims(v1[1]).get("iat").getAsLong();
        await().atMost(WAIT).until(() -> System.currentTimeMillis() / 1000 > issued);

        buildAgent(jar, "v2");

        await().atMost(WAIT).until(() -> marker(markers, jobId, "v2").isPresent());
        String[] v2 = marker(markers, jobId, "v2").orElseThrow().split("\n");
        assertThat(dev.reloads()).isEqualTo(1);
        assertThat(v2[0]).isEqualTo(v1[0]).isEqualTo("agent-" + jobId);
        assertThat(v2[1]).as("a re-signed token").isNotEqualTo(v1[1]);
        io.lkworker.serverlink.AccessToken.verify(v2[1], "secret", System.currentTimeMillis());
        // Same connection: one registration, same worker id, and the job was never reported ended.
        assertThat(server.workers()).extracting(WorkerHandle::workerId).containsExactly(workerId);
        assertThat(dev.daemon().snapshot().workerId()).isEqualTo(workerId);
        assertThat(server.jobUpdates(jobId)).extracting(LivekitAgent.UpdateJobStatus::getStatus)
                .doesNotContain(LivekitAgent.JobStatus.JS_SUCCESS, LivekitAgent.JobStatus.JS_FAILED);
        // A new job runs the new code too.
        String next = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, next, "v2").isPresent());
    }

    @Test
    void reloadJobsKeepLetsRunningJobsFinishOnTheOldCode() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.THREAD, false);
        LocalLiveKitServer server = dev.embeddedServer();
        Path markers = markers();
        String first = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, first, "v1").isPresent());

        buildAgent(jar, "v2");
        await().atMost(WAIT).until(() -> dev.reloads() == 1);

        String second = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, second, "v2").isPresent());
        assertThat(marker(markers, first, "v2")).isEmpty();
        assertThat(dev.daemon().snapshot().jobCount()).isEqualTo(2);
    }

    @Test
    void aBrokenJarIsReportedAndTheOldCodeKeepsServing() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.THREAD, true);
        LocalLiveKitServer server = dev.embeddedServer();
        Path markers = markers();

        // A jar with no agent in it, then plain garbage: neither replaces the working code.
        TestJars.builder().resource("README.txt", "no agent here").build(jar);
        Files.write(jar, new byte[] {1, 2, 3, 4});
        // Then a good build: the watcher is still alive and that one does reload.
        String during = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, during, "v1").isPresent());
        assertThat(dev.reloads()).isZero();

        buildAgent(jar, "v3");
        await().atMost(WAIT).until(() -> dev.reloads() == 1);
        String after = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, after, "v3").isPresent());
    }

    @Test
    void firstCtrlCStopsRunningJobsGracefullyInsteadOfWaitingForThem() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.THREAD, true);
        LocalLiveKitServer server = dev.embeddedServer();
        Path markers = markers();
        String jobId = dispatch(server, markers);
        await().atMost(WAIT).until(() -> marker(markers, jobId, "v1").isPresent());

        dev.daemon().signal("SIGINT");

        assertThat(dev.daemon().exitCode().get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        // The job's end was sent before the socket closed.
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_SUCCESS, WAIT);
    }

    private static HttpResponse<String> twirp(LocalLiveKitServer server, String method, String contentType, byte[] body,
                                              String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(server.httpUrl() + "/twirp/livekit.AgentDispatchService/" + method))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String adminToken(String secret, String room) {
        return io.lkworker.serverlink.AccessToken.roomAdminToken("devkey", secret, room, System.currentTimeMillis(),
                Duration.ofMinutes(10));
    }

    @Test
    void twirpDispatchWithJsonAndWithProtobufBodiesRunsJobs() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.THREAD, true);
        LocalLiveKitServer server = dev.embeddedServer();
        Path markers = markers();

        String json = "{\"room\":\"json-room\",\"agent_name\":\"\",\"metadata\":" + gsonString(markers.toString()) + "}";
        HttpResponse<String> viaJson = twirp(server, "CreateDispatch", "application/json",
                json.getBytes(), adminToken("secret", "json-room"));
        assertThat(viaJson.statusCode()).as(viaJson.body()).isEqualTo(200);
        assertThat(viaJson.body()).contains("\"room\": \"json-room\"");

        byte[] proto = LivekitAgentDispatch.CreateAgentDispatchRequest.newBuilder().setRoom("proto-room")
                .setMetadata(markers.toString()).build().toByteArray();
        HttpResponse<String> viaProto = twirp(server, "CreateDispatch", "application/protobuf", proto,
                adminToken("secret", "proto-room"));
        assertThat(viaProto.statusCode()).isEqualTo(200);

        for (String room : List.of("json-room", "proto-room")) {
            await().atMost(WAIT).until(() -> !server.dispatches(room).get(0).getState().getJobsList().isEmpty());
            String jobId = server.dispatches(room).get(0).getState().getJobs(0).getId();
            await().atMost(WAIT).until(() -> marker(markers, jobId, "v1").isPresent());
        }
    }

    @Test
    void badDispatchRequestsGetTheRightTwirpErrors() throws Exception {
        Path jar = buildAgent(tmp.resolve("agent.jar"), "v1");
        DevRunner dev = startDev(jar, WorkerConfig.ExecutorKind.THREAD, true);
        LocalLiveKitServer server = dev.embeddedServer();

        HttpResponse<String> badAuth = twirp(server, "CreateDispatch", "application/json",
                "{\"room\":\"r\"}".getBytes(), adminToken("not-the-secret", "r"));
        assertThat(badAuth.statusCode()).isEqualTo(401);
        assertThat(badAuth.body()).contains("\"code\":\"unauthenticated\"");

        HttpResponse<String> noAuth = twirp(server, "CreateDispatch", "application/json",
                "{\"room\":\"r\"}".getBytes(), null);
        assertThat(noAuth.statusCode()).isEqualTo(401);

        HttpResponse<String> unknownAgent = twirp(server, "CreateDispatch", "application/json",
                "{\"room\":\"r\",\"agent_name\":\"no-such-agent\"}".getBytes(), adminToken("secret", "r"));
        assertThat(unknownAgent.statusCode()).isEqualTo(404);
        assertThat(unknownAgent.body()).contains("\"code\":\"not_found\"").contains("no-such-agent");

        HttpResponse<String> malformed = twirp(server, "CreateDispatch", "application/json",
                "{\"room\": ".getBytes(), adminToken("secret", "r"));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"code\":\"malformed\"");

        HttpResponse<String> garbageProto = twirp(server, "CreateDispatch", "application/protobuf",
                new byte[] {(byte) 0xff, (byte) 0xff, 0x01}, adminToken("secret", "r"));
        assertThat(garbageProto.statusCode()).isEqualTo(400);
        assertThat(server.dispatches("r")).isEmpty();
    }

    private static String gsonString(String s) {
        return new com.google.gson.Gson().toJson(s);
    }
}
