package io.lkworker.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 §3, "entirely off and not even loaded otherwise": {@code lk-worker start} in its own JVM,
 * its class loading logged by the JVM itself ({@code -Xlog:class+load}), runs a job in a child JVM and
 * stops, on the class path {@code bin/lk-worker} gives it ({@link RuntimeClassPath}). Without an OTLP
 * endpoint not one {@code io.opentelemetry} class is loaded; with one they are (so the probe can see
 * them), from the tracing directory ({@code target/tracing-libs}, installed {@code lib/tracing}).
 */
@Tag("process")
class TracingOffTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private LocalLiveKitServer server;
    private Process daemon;

    @BeforeEach
    void startServer() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .targetLoad(Double.POSITIVE_INFINITY).build()).start();
    }

    @AfterEach
    void stop() {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
        }
        server.close();
    }

    /** The classes the daemon loaded while it ran one job, as the JVM logged them. */
    private List<String> loadedClassesRunningOneJob(String otlpEndpoint) throws Exception {
        Path agent = TestJars.agentJar(tmp.resolve("agent.jar"), "off.QuickAgent", TestJars.simpleAgent("off.QuickAgent"));
        Path classLog = tmp.resolve("classes.log");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xlog:class+load=info:file=" + classLog, "-cp", RuntimeClassPath.get(),
                "io.lkworker.cli.Main", "start", "--url", server.url(), "--agent", agent.toString(),
                "--agent-name", "off", "--job-executor", "process", "--num-idle-processes", "1",
                "--health-port", "-1", "--pid-file", tmp.resolve("lk.pid").toString(),
                "--run-dir", tmp.resolve("run").toString(), "--log-format", "text", "--drain-timeout", "0",
                "--load-threshold", "inf")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("OTEL_"));
        pb.environment().put("LIVEKIT_API_KEY", "devkey");
        pb.environment().put("LIVEKIT_API_SECRET", "secret");
        if (otlpEndpoint != null) {
            pb.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
        }
        daemon = pb.start();
        server.awaitWorker(WAIT);
        OfferOutcome job = server.offerJob(JobSpec.forRoom("off-room").withAgentName("off")).await(WAIT);
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);
        daemon.toHandle().destroy(); // SIGTERM: drain (nothing runs) and exit
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return Files.readAllLines(classLog).stream().filter(l -> l.contains("source:")).toList();
    }

    @Test
    void withoutAnEndpointTheDaemonLoadsNoOpenTelemetryClass() throws Exception {
        List<String> loaded = loadedClassesRunningOneJob(null);
        assertThat(loaded).as("classes the daemon loaded").hasSizeGreaterThan(1000)
                .anyMatch(l -> l.contains("io.lkworker.worker.Worker "))
                .anyMatch(l -> l.contains("io.lkworker.pool.ChildIpc "))
                .noneMatch(l -> l.contains("io.opentelemetry."));
    }

    @Test
    void withAnEndpointTheProbeSeesTheSdk() throws Exception {
        // Nothing listens there: spans are dropped (the exporter logs it), the job runs all the same.
        try (java.net.ServerSocket unused = new java.net.ServerSocket(0)) {
            String endpoint = "http://127.0.0.1:" + unused.getLocalPort();
            unused.close();
            List<String> loaded = loadedClassesRunningOneJob(endpoint);
            assertThat(loaded).anyMatch(l -> l.contains("io.opentelemetry.sdk.trace.SdkTracerProvider "))
                    .anyMatch(l -> l.contains("io.lkworker.tracing.otel.OtelJobTracing "))
                    // from the tracing directory: not one OpenTelemetry jar is on the daemon's class path
                    .anyMatch(l -> l.contains("io.opentelemetry.api.OpenTelemetry ") && l.contains("tracing-libs"));
            assertThat(RuntimeClassPath.get()).doesNotContain("opentelemetry");
            assertThat(Files.readString(tmp.resolve("daemon.log"))).contains("job tracing on")
                    .doesNotContain("tracing stays off");
        }
    }
}
