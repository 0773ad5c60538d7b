package io.lkworker.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.worker.WorkerSnapshot.JobSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real server on a loopback port, fed by a snapshot the test swaps. */
class HealthServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<WorkerSnapshot> snapshot = new AtomicReference<>();
    private final PrometheusWorkerMetrics metrics = new PrometheusWorkerMetrics();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private HealthServer server;

    @BeforeEach
    void start() throws IOException {
        snapshot.set(state("connecting", true, ""));
        server = new HealthServer("127.0.0.1", 0, snapshot::get, metrics).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static WorkerSnapshot state(String state, boolean healthy, String failure) {
        return new WorkerSnapshot("", "", "JT_ROOM", state, healthy, failure, 0, List.of(), 0, 0, 0, "0.1.0", 1);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"starting", "connecting", "registered", "reconnecting", "draining"})
    void healthyStatesAnswerOk(String state) throws Exception {
        snapshot.set(state(state, true, ""));
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("OK");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));

        JsonObject json = JsonParser.parseString(get("/worker").body()).getAsJsonObject();
        assertThat(json.get("state").getAsString()).isEqualTo(state);
    }

    @Test
    void failedWorkerAnswers503WithTheReason() throws Exception {
        snapshot.set(state("failed", false, "failed to connect to livekit after 16 attempts"));
        HttpResponse<String> r = get("/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("failed to connect to livekit after 16 attempts");

        snapshot.set(state("failed", false, ""));
        assertThat(get("/").body()).isEqualTo("worker failed");

        // /worker still answers: it is how an operator sees why
        HttpResponse<String> w = get("/worker");
        assertThat(w.statusCode()).isEqualTo(200);
        JsonObject json = JsonParser.parseString(w.body()).getAsJsonObject();
        assertThat(json.get("state").getAsString()).isEqualTo("failed");
        assertThat(json.get("healthy").getAsBoolean()).isFalse();
    }

    @Test
    void recoversWhenTheSnapshotDoes() throws Exception {
        snapshot.set(state("failed", false, "gave up"));
        assertThat(get("/").statusCode()).isEqualTo(503);
        snapshot.set(state("registered", true, ""));
        assertThat(get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void workerJsonHasEveryFieldEvenWhenZero() throws Exception {
        snapshot.set(state("connecting", true, ""));
        HttpResponse<String> r = get("/worker");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonObject json = JsonParser.parseString(r.body()).getAsJsonObject();
        assertThat(json.keySet()).contains("agent_name", "worker_id", "worker_type", "state", "load", "available", "availability", "job_count",
                "jobs", "idle_processes", "starting_processes", "reconnects", "version", "protocol_version");
        assertThat(json.get("agent_name").getAsString()).isEmpty();
        assertThat(json.get("worker_id").getAsString()).isEmpty();
        assertThat(json.get("worker_type").getAsString()).isEqualTo("JT_ROOM");
        assertThat(json.get("load").getAsDouble()).isZero();
        assertThat(json.get("job_count").getAsInt()).isZero();
        assertThat(json.getAsJsonArray("jobs")).isEmpty();
        assertThat(json.get("idle_processes").getAsInt()).isZero();
        assertThat(json.get("starting_processes").getAsInt()).isZero();
        assertThat(json.get("reconnects").getAsInt()).isZero();
        assertThat(json.get("version").getAsString()).isEqualTo("0.1.0");
        assertThat(json.get("protocol_version").getAsInt()).isEqualTo(1);
    }

    @Test
    void workerJsonListsRunningJobs() throws Exception {
        long started = 1_735_787_045_678L; // 2025-01-02T03:04:05.678Z
        snapshot.set(new WorkerSnapshot("support-agent", "AW_abc", "JT_PUBLISHER", "registered", true, "", 0.42,
                List.of(new JobSnapshot("AJ_1", "room-a", "agent-AJ_1", started, 4242, true),
                        new JobSnapshot("AJ_2", "room-b", "agent-AJ_2", started + 1000, 0, false)),
                3, 1, 2, "0.2.0", 1));
        JsonObject json = JsonParser.parseString(get("/worker").body()).getAsJsonObject();
        assertThat(json.get("agent_name").getAsString()).isEqualTo("support-agent");
        assertThat(json.get("worker_id").getAsString()).isEqualTo("AW_abc");
        assertThat(json.get("worker_type").getAsString()).isEqualTo("JT_PUBLISHER");
        assertThat(json.get("load").getAsDouble()).isEqualTo(0.42);
        assertThat(json.get("job_count").getAsInt()).isEqualTo(2);
        assertThat(json.get("idle_processes").getAsInt()).isEqualTo(3);
        assertThat(json.get("starting_processes").getAsInt()).isEqualTo(1);
        assertThat(json.get("reconnects").getAsInt()).isEqualTo(2);
        JsonObject first = json.getAsJsonArray("jobs").get(0).getAsJsonObject();
        assertThat(first.get("id").getAsString()).isEqualTo("AJ_1");
        assertThat(first.get("room").getAsString()).isEqualTo("room-a");
        assertThat(first.get("participant_identity").getAsString()).isEqualTo("agent-AJ_1");
        assertThat(first.get("started_at").getAsString()).isEqualTo("2025-01-02T03:04:05.678Z");
        assertThat(first.get("pid").getAsLong()).isEqualTo(4242);
        assertThat(first.get("running").getAsBoolean()).isTrue();
        JsonObject second = json.getAsJsonArray("jobs").get(1).getAsJsonObject();
        assertThat(second.get("pid").getAsLong()).isZero();
        assertThat(second.get("running").getAsBoolean()).isFalse();
    }

    @Test
    void unknownPathsAre404() throws Exception {
        for (String path : List.of("/nope", "/worker/", "/metrics/x", "/healthz")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void otherMethodsAre405AndChangeNothing() throws Exception {
        WorkerSnapshot before = snapshot.get();
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            for (String path : List.of("/", "/worker", "/metrics")) {
                HttpResponse<String> r = send(method, path);
                assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
                assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
            }
        }
        assertThat(snapshot.get()).isSameAs(before);
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        HttpResponse<String> r = send("HEAD", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(send("HEAD", "/nope").statusCode()).isEqualTo(404);
        snapshot.set(state("failed", false, "x"));
        assertThat(send("HEAD", "/").statusCode()).isEqualTo(503);
    }

    @Test
    void metricsParseAndFollowTheWorker() throws Exception {
        snapshot.set(new WorkerSnapshot("a", "AW_1", "JT_ROOM", "registered", true, "", 0.25,
                List.of(new JobSnapshot("AJ_1", "r", "p", 0, 1, true)), 2, 1, 0, "0.1.0", 1));
        metrics.jobEnded("success");
        metrics.jobEnded("success");
        metrics.jobEnded("failed");
        metrics.processKilled("memory");
        metrics.reconnected();
        metrics.availabilityAnswered("accepted", 0.004);
        metrics.assignmentToRunning(0.2);
        metrics.processInitialized(1.5);

        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain").contains("version=0.0.4"));
        Map<String, Double> samples = PrometheusText.parse(r.body());
        assertThat(r.body()).contains("lkworker_jobs_total{outcome=\"success\"} 2.0\n");
        assertThat(samples)
                .containsEntry("lkworker_jobs_total{outcome=\"success\"}", 2.0)
                .containsEntry("lkworker_jobs_total{outcome=\"failed\"}", 1.0)
                .containsEntry("lkworker_process_kills_total{reason=\"memory\"}", 1.0)
                .containsEntry("lkworker_process_kills_total{reason=\"unresponsive\"}", 0.0)
                .containsEntry("lkworker_reconnects_total", 1.0)
                .containsEntry("lkworker_availability_answer_seconds_bucket{answer=\"accepted\",le=\"0.0025\"}", 0.0)
                .containsEntry("lkworker_availability_answer_seconds_bucket{answer=\"accepted\",le=\"0.005\"}", 1.0)
                .containsEntry("lkworker_availability_answer_seconds_count{answer=\"accepted\"}", 1.0)
                .containsEntry("lkworker_availability_answer_seconds_count{answer=\"rejected\"}", 0.0)
                .containsEntry("lkworker_assignment_to_running_seconds_count", 1.0)
                .containsEntry("lkworker_assignment_to_running_seconds_bucket{le=\"0.25\"}", 1.0)
                .containsEntry("lkworker_process_initialize_seconds_sum", 1.5)
                .containsEntry("lkworker_processes{state=\"idle\"}", 2.0)
                .containsEntry("lkworker_processes{state=\"starting\"}", 1.0)
                .containsEntry("lkworker_running_jobs", 1.0)
                .containsEntry("lkworker_worker_load", 0.25)
                .containsEntry("lkworker_connected", 1.0)
                .containsEntry("lkworker_worker_state{state=\"registered\"}", 1.0)
                .containsEntry("lkworker_worker_state{state=\"reconnecting\"}", 0.0)
                .containsEntry("lkworker_info{agent_name=\"a\",version=\"0.1.0\",worker_type=\"JT_ROOM\"}", 1.0);

        // gauges are read at scrape time: the next scrape sees the new snapshot
        snapshot.set(state("reconnecting", true, ""));
        Map<String, Double> after = PrometheusText.parse(get("/metrics").body());
        assertThat(after)
                .containsEntry("lkworker_connected", 0.0)
                .containsEntry("lkworker_running_jobs", 0.0)
                .containsEntry("lkworker_worker_state{state=\"registered\"}", 0.0)
                .containsEntry("lkworker_worker_state{state=\"reconnecting\"}", 1.0)
                .containsEntry("lkworker_jobs_total{outcome=\"success\"}", 2.0);
        snapshot.set(state("draining", true, ""));
        assertThat(PrometheusText.parse(get("/metrics").body())).containsEntry("lkworker_connected", 1.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"starting", "connecting", "reconnecting", "draining", "closed"})
    void readinessIsRegisteredAndTakingJobsOnly(String state) throws Exception {
        snapshot.set(state("registered", true, ""));
        HttpResponse<String> ready = get("/ready");
        snapshot.set(state(state, true, ""));
        HttpResponse<String> notReady = get("/ready");
        HttpResponse<String> alive = get("/");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("not ready: " + state);
        assertThat(alive.statusCode()).as("liveness is another question").isEqualTo(200);
    }

    @Test
    void aFailedWorkerIsNotReadyAndSaysWhy() throws Exception {
        snapshot.set(state("failed", false, "credentials refused: HTTP 401"));
        HttpResponse<String> r = get("/ready");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("not ready: failed: credentials refused: HTTP 401");
        assertThat(send("HEAD", "/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void metricsCountLogRecordsDroppedByTheLogQueue() throws Exception {
        Map<String, Double> samples = PrometheusText.parse(get("/metrics").body());
        assertThat(samples).containsEntry("lkworker_log_records_dropped_total",
                (double) io.lkworker.logging.BoundedAsyncAppender.droppedTotal());
        assertThat(get("/metrics").body()).contains("# TYPE lkworker_log_records_dropped_total counter");
    }

    @Test
    void reportsTheBoundPortAndFreesItOnClose() throws Exception {
        int port = server.port();
        assertThat(port).isPositive();
        server.close();
        server.close(); // idempotent
        // the port is free again: a new server can take it
        server = new HealthServer("127.0.0.1", port, snapshot::get, metrics).start();
        assertThat(get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void clientsThatSendHalfARequestAndWaitCannotStarveProbes() throws Exception {
        // More idle half-requests than the server keeps open: each sends one byte and waits.
        List<java.net.Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < HealthServer.MAX_CONNECTIONS + 20; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                s.getOutputStream().write('G');
                s.getOutputStream().flush();
                idle.add(s);
            }
            for (String path : List.of("/", "/worker", "/metrics")) {
                assertThat(get(path).statusCode()).as(path).isEqualTo(200);
            }
        } finally {
            for (java.net.Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aConnectionThatNeverCompletesItsRequestIsClosed() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET / HT".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout((int) TIMEOUT.toMillis() * 3);
            // the server gives up on it and closes: end of stream, no answer
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void anOversizedRequestHeadIsRefused() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            String big = "GET / HTTP/1.1\r\nX-Filler: " + "x".repeat(HealthConnection.MAX_HEAD_BYTES) + "\r\n\r\n";
            try {
                s.getOutputStream().write(big.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } catch (IOException closedEarly) {
                // the server may answer and close before reading it all
            }
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 431 ");
        }
    }

    @Test
    void aStuckEventLoopTurnsLivenessUnhealthyAndBackWhenItMovesAgain() throws Exception {
        server.close();
        io.lkworker.loop.EventLoop loop = new io.lkworker.loop.EventLoop(io.lkworker.loop.Clock.system())
                .start("test-loop");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            io.lkworker.loop.Heartbeat heartbeat = io.lkworker.loop.Heartbeat.start(loop, 50);
            server = new HealthServer("127.0.0.1", 0, snapshot::get, metrics, heartbeat::silentMillis,
                    Duration.ofMillis(500)).start();
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> get("/").statusCode() == 200);
            snapshot.set(state("registered", true, ""));
            assertThat(get("/ready").statusCode()).isEqualTo(200);
            loop.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // The snapshot still says healthy; only the silent loop can make this 503.
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> get("/").statusCode() == 503);
            assertThat(get("/").body()).startsWith("event loop unresponsive for ");
            assertThat(get("/ready").statusCode()).isEqualTo(503);
            assertThat(get("/worker").statusCode()).isEqualTo(200);
            release.countDown();
            org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> get("/").statusCode() == 200);
        } finally {
            release.countDown();
            loop.close();
        }
    }

    @Test
    void nullSnapshotCountsAsStarting() throws Exception {
        snapshot.set(null);
        assertThat(get("/").statusCode()).isEqualTo(200);
        assertThat(JsonParser.parseString(get("/worker").body()).getAsJsonObject().get("state").getAsString())
                .isEqualTo("starting");
        assertThat(PrometheusText.parse(get("/metrics").body())).doesNotContainKey("lkworker_running_jobs");
    }

    /** Issue 20, item 5: a busy port is reported with the address and the option that changes it. */
    @Test
    void aBusyPortNamesTheAddressAndTheOption() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int port = taken.getLocalPort();
            HealthServer second = new HealthServer("127.0.0.1", port, snapshot::get, metrics);

            org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageStartingWith("--health-port: cannot listen on 127.0.0.1:" + port + " for the health server")
                    .hasMessageContaining("give another port with --health-port");
        }
    }
}
