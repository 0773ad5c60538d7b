package io.lkworker.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.testing.TestJars;
import io.lkworker.tracing.OtlpReceiver.ReceivedSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 §3: a real job through {@code lk-worker start} (its own JVM) and a real child JVM, with
 * the standard OTEL variables pointing at {@link OtlpReceiver}: one trace per job across both
 * processes, the span tree and its attributes as docs/tracing.md describes them, the agent's own span
 * (OpenTelemetry API, compiled against it, not bundled) under the entrypoint, and the room connection
 * against the embedded LiveKit server.
 */
@Tag("process")
@Tag("rtc")
class TracingProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(40);
    /** Sent as OTEL_EXPORTER_OTLP_HEADERS: must reach the collector, never the daemon's log. */
    private static final String HEADER_SECRET = "s3cret-otlp-token";

    @TempDir
    Path tmp;

    private LocalLiveKitServer server;
    private OtlpReceiver receiver;
    private Process daemon;
    private Path log;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .targetLoad(Double.POSITIVE_INFINITY).build()).start();
        receiver = new OtlpReceiver();
    }

    @AfterEach
    void stop() {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
        }
        server.close();
        receiver.close();
    }

    /**
     * Joins the room when its metadata says "connect", fails when it says "fail", and records a span of
     * its own through GlobalOpenTelemetry (the job process's SDK, shared with the agent's class loader).
     */
    private Path agentJar() {
        return TestJars.builder().source("tr.TracedAgent", """
                package tr;
                import io.opentelemetry.api.GlobalOpenTelemetry;
                import io.opentelemetry.api.trace.Span;
                public class TracedAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        if (ctx.job().metadata().contains("connect")) {
                            ctx.connect();
                        }
                        Span span = GlobalOpenTelemetry.getTracer("test-agent").spanBuilder("agent.work").startSpan();
                        span.setAttribute("agent.saw", ctx.job().id());
                        span.end();
                        if (ctx.job().metadata().contains("fail")) {
                            throw new IllegalStateException("the agent failed on purpose");
                        }
                    }
                }
                """).agentService("tr.TracedAgent").build(tmp.resolve("traced-agent.jar"));
    }

    private void startDaemon(int idle) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", RuntimeClassPath.get(),
                "io.lkworker.cli.Main", "start", "--url", server.url(), "--agent", agentJar().toString(),
                "--agent-name", "tr", "--job-executor", "process", "--num-idle-processes", Integer.toString(idle),
                "--health-port", "0", "--health-host", "127.0.0.1", "--pid-file", tmp.resolve("lk.pid").toString(),
                "--run-dir", tmp.resolve("run").toString(), "--log-format", "text", "--drain-timeout", "0",
                "--log-level", "debug", "--load-threshold", "inf"));
        log = tmp.resolve("daemon.log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LIVEKIT_API_KEY", "devkey");
        pb.environment().put("LIVEKIT_API_SECRET", "secret");
        pb.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
        // The first test sets the protocol as the collector examples do; the second leaves it to
        // lk-worker's default (http/protobuf, where the Java SDK's own default would be gRPC).
        if (idle > 0) {
            pb.environment().put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        } else {
            pb.environment().remove("OTEL_EXPORTER_OTLP_PROTOCOL");
        }
        pb.environment().put("OTEL_EXPORTER_OTLP_HEADERS", "x-test-token=" + HEADER_SECRET);
        // Export batches every 200 ms instead of 5 s: the daemon's spans arrive while the test waits.
        pb.environment().put("OTEL_BSP_SCHEDULE_DELAY", "200");
        pb.environment().remove("OTEL_SERVICE_NAME");
        pb.environment().remove("OTEL_SDK_DISABLED");
        pb.environment().remove("OTEL_TRACES_EXPORTER");
        daemon = pb.start();
        server.awaitWorker(WAIT);
    }

    private OfferOutcome offer(String room, String metadata) {
        return server.offerJob(JobSpec.forRoom(room).withAgentName("tr").withMetadata(metadata)
                .withDispatchId("AD_" + room)).await(WAIT);
    }

    private void awaitStatus(String jobId, JobStatus status) {
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == status, WAIT);
    }

    /** The job's whole trace, by span name, once {@code names} have all arrived. */
    private Map<String, ReceivedSpan> trace(String jobId, List<String> names) {
        return await().atMost(WAIT).until(() -> {
            ReceivedSpan root = receiver.spans().stream()
                    .filter(s -> s.name().equals("job") && s.attr("lk.job.id").equals(jobId)).findFirst().orElse(null);
            if (root == null) {
                return Map.<String, ReceivedSpan>of();
            }
            return receiver.spans().stream().filter(s -> s.traceId().equals(root.traceId()))
                    .collect(Collectors.toMap(ReceivedSpan::name, Function.identity(), (a, b) -> a));
        }, spans -> spans.keySet().containsAll(names));
    }

    private static void awaitWarmProcess(Path pidFile) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            String url = new io.lkworker.RunFiles(pidFile).readHealthUrl().orElseThrow();
            String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url + "/worker")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return com.google.gson.JsonParser.parseString(body).getAsJsonObject().get("idle_processes").getAsInt() >= 1;
        });
    }

    @Test
    void aWarmJobThatJoinsItsRoomIsOneTraceAcrossDaemonAndJobProcess() throws Exception {
        startDaemon(1);
        awaitWarmProcess(tmp.resolve("lk.pid"));
        OfferOutcome job = offer("traced-room", "connect");
        awaitStatus(job.jobId(), JobStatus.JS_SUCCESS);

        Map<String, ReceivedSpan> t = trace(job.jobId(), List.of("job", "job.decision", "job.assignment",
                "job.launch", "job.running", "job.entrypoint", "room.connect", "agent.work"));
        ReceivedSpan root = t.get("job");
        assertThat(root.parentSpanId()).isEmpty();
        assertThat(receiver.spans().stream().filter(s -> s.traceId().equals(root.traceId())))
                .as("exactly one trace for the job, every span in it once").hasSize(8);
        for (String phase : List.of("job.decision", "job.assignment", "job.launch", "job.running", "job.entrypoint")) {
            assertThat(t.get(phase).parentSpanId()).as("parent of %s", phase).isEqualTo(root.spanId());
        }
        assertThat(t.get("room.connect").parentSpanId()).isEqualTo(t.get("job.entrypoint").spanId());
        assertThat(t.get("agent.work").parentSpanId()).isEqualTo(t.get("job.entrypoint").spanId());

        assertThat(root.attributes()).containsEntry("lk.job.id", job.jobId())
                .containsEntry("lk.room.name", "traced-room")
                .containsEntry("lk.agent.name", "tr")
                .containsEntry("lk.worker.id", job.workerId())
                .containsEntry("lk.dispatch.id", "AD_traced-room")
                .containsEntry("lk.participant.identity", job.participantIdentity())
                .containsEntry("lk.job.status", "succeeded");
        assertThat(root.error()).isFalse();
        assertThat(t.get("job.decision").attributes()).containsEntry("lk.decision", "accepted")
                .containsEntry("lk.decision.reason", "the agent accepted it");

        // The process that ran it: warm, and the pid the job process itself reports.
        ReceivedSpan entry = t.get("job.entrypoint");
        String childPid = entry.resource().get("process.pid");
        assertThat(t.get("job.launch").attributes()).containsEntry("lk.process.start", "warm")
                .containsEntry("process.pid", childPid);
        assertThat(t.get("job.running").attr("process.pid")).isEqualTo(childPid);
        assertThat(childPid).isNotEqualTo(Long.toString(daemon.pid()));
        assertThat(root.resource()).containsEntry("process.pid", Long.toString(daemon.pid()))
                .containsEntry("lk.worker.process", "daemon").containsEntry("service.name", "lk-worker");
        assertThat(entry.resource()).containsEntry("lk.worker.process", "job").containsEntry("service.name", "lk-worker");
        assertThat(entry.attributes()).containsEntry("lk.job.id", job.jobId()).containsEntry("lk.room.name", "traced-room")
                .containsEntry("lk.agent.name", "tr").containsEntry("lk.worker.id", job.workerId())
                .containsEntry("lk.dispatch.id", "AD_traced-room");
        assertThat(t.get("agent.work").attributes()).containsEntry("agent.saw", job.jobId());
        assertThat(t.get("room.connect").events()).containsExactly("signalling connected", "transports up");
        assertThat(t.get("room.connect").error()).isFalse();

        // Phases in order, within the root.
        assertThat(t.get("job.decision").endNanos()).isLessThanOrEqualTo(t.get("job.assignment").startNanos());
        assertThat(t.get("job.launch").endNanos()).isLessThanOrEqualTo(t.get("job.running").startNanos());
        assertThat(root.endNanos()).isGreaterThanOrEqualTo(t.get("job.running").endNanos());

        // The collector's headers reached the collector, never the log.
        assertThat(receiver.headerNames()).contains("x-test-token");
        assertThat(Files.readString(log)).doesNotContain(HEADER_SECRET).contains("job tracing on");
        assertThat(receiver.rejected()).isEmpty();
    }

    @Test
    void aColdJobThatFailsEndsItsTraceWithTheFailure() throws Exception {
        startDaemon(0);
        OfferOutcome job = offer("failing-room", "fail");
        awaitStatus(job.jobId(), JobStatus.JS_FAILED);

        Map<String, ReceivedSpan> t = trace(job.jobId(), List.of("job", "job.launch", "job.running",
                "job.entrypoint", "agent.work"));
        ReceivedSpan root = t.get("job");
        assertThat(t.get("job.launch").attr("lk.process.start")).isEqualTo("cold");
        assertThat(t.get("job.launch").attr("process.pid")).isEqualTo(t.get("job.entrypoint").resource().get("process.pid"));
        assertThat(root.attributes()).containsEntry("lk.job.status", "failed");
        assertThat(root.attr("lk.job.end_reason")).contains("the agent failed on purpose");
        assertThat(root.error()).isTrue();
        assertThat(t.get("job.entrypoint").error()).isTrue();
        assertThat(t.get("job.entrypoint").statusMessage()).contains("IllegalStateException: the agent failed on purpose");
        assertThat(t.get("agent.work").parentSpanId()).isEqualTo(t.get("job.entrypoint").spanId());
        assertThat(t).doesNotContainKey("room.connect");
        assertThat(receiver.rejected()).isEmpty();
    }
}
