package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.rtc.agent.RoomTestAgent;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import livekit.LivekitAgent;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitModels.ParticipantInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a job and its room end each other, through the real daemon and the embedded server: deleting
 * the room ends the job with the room's reason, a job that ends leaves the room, a crashed job process
 * is gone from the room at once, and a job's token joins its room and nothing else.
 */
@Tag("rtc")
class RoomJobLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private Daemon daemon;
    private RtcRoom participant;

    @BeforeEach
    void startServer() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3)).build()).start();
    }

    @AfterEach
    void stopAll() {
        if (participant != null) {
            participant.disconnect();
        }
        if (daemon != null) {
            daemon.close();
        }
        server.close();
    }

    private void startDaemon(WorkerConfig.ExecutorKind executor, LoadedAgent agent, Path jar) throws Exception {
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = executor;
            b.agentJar = jar;
            b.idle = executor == WorkerConfig.ExecutorKind.PROCESS ? 1 : 0;
            b.runDir = dir.resolve("run");
            return b;
        });
        daemon = new Daemon(config, agent, DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
    }

    private void startThreadDaemon() throws Exception {
        startDaemon(WorkerConfig.ExecutorKind.THREAD, new LoadedAgent(new RoomTestAgent(), "RoomTestAgent",
                getClass().getClassLoader(), null), Path.of("agent.jar"));
    }

    private String runningJob() {
        return server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING, WAIT)
                .message().getUpdateJob().getJobId();
    }

    private void awaitStatus(String jobId, JobStatus status) {
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == status, WAIT);
    }

    private boolean agentInRoom(String room) {
        return server.participants(room).orElse(List.of()).stream()
                .anyMatch(p -> p.getKind() == ParticipantInfo.Kind.AGENT);
    }

    private RtcRoom joinAsPerson(String room, List<String> events) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                "person", "", System.currentTimeMillis(), Duration.ofMinutes(5));
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        r.addListener(new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant p) {
                events.add("joined " + p.kind());
            }

            @Override
            public void onParticipantDisconnected(RemoteParticipant p) {
                events.add("left " + p.kind());
            }
        });
        return r;
    }

    @Test
    void aServerAwayLongerThanTheReconnectTimeoutEndsTheJobWithTheReason() throws Exception {
        server.close();
        // Pings every second, silence counts after 2 s: the agent notices a paused server quickly.
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .ping(Duration.ofSeconds(1), Duration.ofSeconds(2)).build()).start();
        startThreadDaemon();
        server.createDispatch("paused", "test-agent", "short-reconnect");
        String job = runningJob();
        await().atMost(WAIT).until(() -> RoomTestAgent.CONNECTED.contains(job));
        server.pause();
        try {
            await().atMost(WAIT).until(() -> RoomTestAgent.REASONS.containsKey(job));
        } finally {
            server.resume();
        }
        assertThat(RoomTestAgent.REASONS.get(job)).isEqualTo("room disconnected: SIGNAL_CLOSE");
        awaitStatus(job, JobStatus.JS_SUCCESS);
    }

    /** The status line the server answers a WebSocket upgrade of {@code path} with. */
    private String upgradeStatusLine(String path, String token) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    @Test
    void deletingTheRoomEndsTheJobWithTheRoomsReason() throws Exception {
        startThreadDaemon();
        server.createDispatch("doomed", "test-agent", "stay");
        String job = runningJob();
        await().atMost(WAIT).until(() -> RoomTestAgent.CONNECTED.contains(job));

        assertThat(server.deleteRoom("doomed")).isTrue();

        awaitStatus(job, JobStatus.JS_SUCCESS);
        assertThat(RoomTestAgent.REASONS.get(job)).isEqualTo("room disconnected: ROOM_DELETED");
        assertThat(server.participants("doomed")).isEmpty();
    }

    @Test
    void removingTheAgentEndsItsJob() throws Exception {
        startThreadDaemon();
        server.createDispatch("kick", "test-agent", "stay");
        String job = runningJob();
        await().atMost(WAIT).until(() -> RoomTestAgent.CONNECTED.contains(job));
        String identity = server.participants("kick").orElseThrow().get(0).getIdentity();

        assertThat(server.removeParticipant("kick", identity)).isTrue();

        awaitStatus(job, JobStatus.JS_SUCCESS);
        assertThat(RoomTestAgent.REASONS.get(job)).isEqualTo("room disconnected: PARTICIPANT_REMOVED");
    }

    @Test
    void aJobThatEndsLeavesTheRoom() throws Exception {
        startThreadDaemon();
        List<String> events = new CopyOnWriteArrayList<>();
        participant = joinAsPerson("leave", events);
        CountDownLatch release = RoomTestAgent.RELEASES.computeIfAbsent("leave", k -> new CountDownLatch(1));
        server.createDispatch("leave", "test-agent", "return");
        String job = runningJob();
        await().atMost(WAIT).until(() -> events.contains("joined AGENT"));

        release.countDown();

        awaitStatus(job, JobStatus.JS_SUCCESS);
        await().atMost(WAIT).until(() -> events.contains("left AGENT"));
        assertThat(participant.remoteParticipants().values()).noneMatch(p -> p.kind() == ParticipantKind.AGENT);
    }

    @Test
    void waitForParticipantTimesOutForSomeoneAbsentAndReturnsThePersonWhoJoins() throws Exception {
        startThreadDaemon();
        server.createDispatch("waiting", "test-agent", "wait-participant");
        String job = runningJob();
        await().atMost(WAIT).until(() -> RoomTestAgent.CONNECTED.contains(job));

        participant = joinAsPerson("waiting", new CopyOnWriteArrayList<>());

        awaitStatus(job, JobStatus.JS_SUCCESS);
        assertThat(RoomTestAgent.REASONS.get(job)).isEqualTo("found person");
    }

    @Test
    @Tag("process")
    void aCrashedJobProcessIsGoneFromTheRoom() throws Exception {
        Path jar = AgentJarFixture.build(dir.resolve("agent"), RoomTestAgent.class);
        startDaemon(WorkerConfig.ExecutorKind.PROCESS, AgentLoader.load(jar, null), jar);
        List<String> events = new CopyOnWriteArrayList<>();
        participant = joinAsPerson("crash", events);
        server.createDispatch("crash", "test-agent", "crash");
        String job = runningJob();

        awaitStatus(job, JobStatus.JS_FAILED);
        await().atMost(WAIT).until(() -> events.contains("left AGENT"));
        assertThat(agentInRoom("crash")).isFalse();
    }

    @Test
    void theJobsTokenJoinsItsRoomAndNothingElse() throws Exception {
        startThreadDaemon();
        server.createDispatch("mine", "test-agent", "stay");
        String job = runningJob();
        await().atMost(WAIT).until(() -> RoomTestAgent.CONNECTED.contains(job));
        String token = RoomTestAgent.TOKENS.get(job);
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> listRooms = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl()
                        + "/twirp/livekit.RoomService/ListRooms"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listRooms.statusCode()).isEqualTo(401);

        HttpResponse<String> listOther = http.send(HttpRequest.newBuilder(URI.create(server.httpUrl()
                        + "/twirp/livekit.RoomService/ListParticipants"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"room\":\"mine\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listOther.statusCode()).isEqualTo(401);

        // Registering a worker with it is refused too (the upgrade is answered with 401 before any WebSocket).
        assertThat(upgradeStatusLine("/agent", token)).contains("401");

        // A token that does not grant joining a room fails connect() with the server's reason.
        String adminOnly = AccessToken.roomAdminToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, "mine",
                System.currentTimeMillis(), Duration.ofMinutes(1));
        assertThatThrownBy(() -> RtcRoom.connect(server.url(), adminOnly, ConnectOptions.defaults()))
                .isInstanceOf(RoomException.class)
                .hasMessageContaining("401")
                .hasMessageContaining("roomJoin");
    }
}
