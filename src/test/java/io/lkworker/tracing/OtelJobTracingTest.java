package io.lkworker.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.tracing.OtlpReceiver.ReceivedSpan;
import io.lkworker.tracing.otel.OtelJobTracing;
import io.lkworker.worker.JobLifecycleListener.Details;
import io.lkworker.worker.JobLifecycleListener.Event;
import io.lkworker.worker.JobLifecycleListener.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's spans for the paths a process test does not take (declined offers, an accept whose
 * assignment never came, a restart), fed stage by stage and exported to {@link OtlpReceiver} by the real
 * SDK and exporter, configured through system properties (autoconfiguration reads them like the
 * variables).
 */
class OtelJobTracingTest {

    private OtlpReceiver receiver;
    private OtelJobTracing tracing;

    @BeforeEach
    void start() throws Exception {
        receiver = new OtlpReceiver();
        System.setProperty("otel.exporter.otlp.endpoint", receiver.endpoint());
        System.setProperty("otel.bsp.schedule.delay", "100");
        try {
            tracing = new OtelJobTracing();
        } finally {
            System.clearProperty("otel.exporter.otlp.endpoint");
            System.clearProperty("otel.bsp.schedule.delay");
        }
    }

    @AfterEach
    void stop() {
        tracing.close();
        receiver.close();
    }

    private void stage(String job, Stage stage, long at, Details details) {
        tracing.onJobEvent(new Event(job, "room-" + job, stage, at, "", details));
    }

    private Map<String, ReceivedSpan> traceOf(String jobId, int spans) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> {
            ReceivedSpan root = receiver.spans().stream()
                    .filter(s -> s.name().equals("job") && s.attr("lk.job.id").equals(jobId)).findFirst().orElse(null);
            return root == null ? Map.<String, ReceivedSpan>of() : receiver.spans().stream()
                    .filter(s -> s.traceId().equals(root.traceId()))
                    .collect(Collectors.toMap(ReceivedSpan::name, Function.identity(), (a, b) -> a));
        }, m -> m.size() >= spans);
    }

    @Test
    void anOfferTheWorkerDeclinesIsATraceOfItsDecision() {
        stage("AJ_full", Stage.OFFERED, 1_000, Details.offered("agent-x", "AD_1", "AW_1"));
        stage("AJ_full", Stage.DECLINED, 1_002, Details.decided("", "worker is at capacity"));
        assertThat(tracing.traceContext("AJ_full")).as("no context once the trace ended").isEmpty();

        Map<String, ReceivedSpan> t = traceOf("AJ_full", 2);
        assertThat(t).containsOnlyKeys("job", "job.decision");
        assertThat(t.get("job.decision").attributes()).containsEntry("lk.decision", "declined")
                .containsEntry("lk.decision.reason", "worker is at capacity");
        assertThat(t.get("job").attributes()).containsEntry("lk.job.status", "declined")
                .containsEntry("lk.agent.name", "agent-x").containsEntry("lk.dispatch.id", "AD_1")
                .containsEntry("lk.worker.id", "AW_1");
        assertThat(t.get("job").startNanos()).isEqualTo(1_000_000_000L);
        assertThat(t.get("job").endNanos()).isEqualTo(1_002_000_000L);
    }

    @Test
    void anAgentsRejectionIsTold() {
        stage("AJ_no", Stage.OFFERED, 1_000, Details.offered("a", "", "AW_1"));
        stage("AJ_no", Stage.DECLINED, 1_001, Details.decided("", "the agent rejected it"));
        assertThat(traceOf("AJ_no", 2).get("job.decision").attr("lk.decision")).isEqualTo("rejected");
    }

    @Test
    void anAcceptWithoutAssignmentEndsFailedInItsAssignmentPhase() {
        stage("AJ_lost", Stage.OFFERED, 1_000, Details.offered("a", "", "AW_1"));
        stage("AJ_lost", Stage.ACCEPTED, 1_010, Details.decided("agent-AJ_lost", "the agent accepted it"));
        assertThat(tracing.traceContext("AJ_lost")).containsKey("traceparent");
        stage("AJ_lost", Stage.ENDED, 8_510, Details.ended(false, "no assignment within 7500 ms"));

        Map<String, ReceivedSpan> t = traceOf("AJ_lost", 3);
        assertThat(t.get("job.assignment").error()).isTrue();
        assertThat(t.get("job").attributes()).containsEntry("lk.job.status", "failed")
                .containsEntry("lk.job.end_reason", "no assignment within 7500 ms");
        assertThat(t).doesNotContainKey("job.launch");
    }

    @Test
    void theContextHandedToTheJobProcessIsTheRootSpans() {
        stage("AJ_ctx", Stage.OFFERED, 1_000, Details.offered("a", "", "AW_1"));
        stage("AJ_ctx", Stage.ACCEPTED, 1_001, Details.decided("i", "the agent accepted it"));
        stage("AJ_ctx", Stage.ASSIGNED, 1_002, Details.assigned("AW_1", "i"));
        String traceparent = tracing.traceContext("AJ_ctx").get("traceparent");
        stage("AJ_ctx", Stage.RUNNING, 1_003, Details.running(42, true));
        stage("AJ_ctx", Stage.RESTARTING, 1_004, Details.NONE);
        stage("AJ_ctx", Stage.RUNNING, 1_005, Details.running(43, false));
        stage("AJ_ctx", Stage.ENDED, 1_006, Details.ended(true, ""));

        ReceivedSpan root = traceOf("AJ_ctx", 5).get("job");
        // W3C: version-traceid-parentid-flags; the parent the job process continues is the root span, and the
        // flags carry "sampled" (bit 0) so the job process keeps the trace whole (the SDK also sets bit 1,
        // "random trace id", of W3C Trace Context level 2)
        assertThat(traceparent).startsWith("00-" + root.traceId() + "-" + root.spanId() + "-");
        assertThat(Integer.parseInt(traceparent.substring(traceparent.lastIndexOf('-') + 1), 16) & 1).isEqualTo(1);
        List<ReceivedSpan> launches = receiver.spans().stream().filter(s -> s.traceId().equals(root.traceId())
                && s.name().equals("job.launch")).toList();
        assertThat(launches).extracting(s -> s.attr("lk.process.start")).containsExactlyInAnyOrder("warm", "cold");
        assertThat(launches).filteredOn(s -> s.attr("lk.restart").equals("true")).hasSize(1);
        assertThat(root.attr("lk.job.status")).isEqualTo("succeeded");
        assertThat(root.error()).isFalse();
    }
}
