package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.testing.TestJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lk-worker start} as a separate JVM, stopped with real signals (SIGTERM through
 * {@link ProcessHandle#destroy()}), against the LiveKit-protocol server on loopback.
 */
@Tag("process")
class DaemonProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private LocalLiveKitServer server;
    private Process daemon;

    @BeforeEach
    void startServer() throws Exception {
        // No psrpc load rule: a busy test machine (or a child JVM starting) makes the worker report a
        // high CPU load, and the real server's rule would then refuse to offer the job at all.
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

    /** Each job waits until the file named by its metadata exists (or it is shut down). */
    private Path agentJar() {
        return TestJars.builder().source("sig.WaitAgent", """
                package sig;
                import java.nio.file.*;
                public class WaitAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        Path release = Path.of(ctx.job().metadata());
                        while (!Files.exists(release)) {
                            if (ctx.awaitShutdown(java.time.Duration.ofMillis(50)) != null) {
                                return;
                            }
                        }
                    }
                }
                """).agentService("sig.WaitAgent").build(tmp.resolve("agent.jar"));
    }

    /** Each job writes what it finds in its environment to the file named by its metadata. */
    private Path envAgentJar() {
        return TestJars.builder().source("sig.EnvAgent", """
                package sig;
                import java.nio.file.*;
                public class EnvAgent implements io.lkworker.api.Agent {
                    @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                        String seen = "secret=" + System.getenv("LIVEKIT_API_SECRET")
                                + " key=" + System.getenv("LIVEKIT_API_KEY")
                                + " marker=" + System.getenv("LKW_TEST_MARKER");
                        Path out = Path.of(ctx.job().metadata());
                        Files.writeString(out.resolveSibling(out.getFileName() + ".tmp"), seen);
                        Files.move(out.resolveSibling(out.getFileName() + ".tmp"), out);
                    }
                }
                """).agentService("sig.EnvAgent").build(tmp.resolve("env-agent.jar"));
    }

    private Process startDaemon(String executor) throws Exception {
        return startDaemon(executor, agentJar());
    }

    private Process startDaemon(String executor, Path agent) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "io.lkworker.cli.Main", "start", "--url", server.url(), "--agent", agent.toString(),
                "--agent-name", "sig", "--job-executor", executor, "--num-idle-processes", "1",
                "--health-port", "-1", "--pid-file", tmp.resolve("lk.pid").toString(),
                "--run-dir", tmp.resolve("run").toString(), "--log-format", "text", "--drain-timeout", "0",
                // The CI machine may be busy: CPU load must not make this worker refuse jobs.
                "--load-threshold", "inf"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "daemon-process-test.log").toFile());
        pb.environment().put("LIVEKIT_API_KEY", "devkey");
        pb.environment().put("LIVEKIT_API_SECRET", "secret");
        pb.environment().put("LKW_TEST_MARKER", "passed-on");
        daemon = pb.start();
        server.awaitWorker(WAIT);
        return daemon;
    }

    private OfferOutcome offer(Path release) {
        return server.offerJob(JobSpec.forRoom("room-" + release.getFileName()).withAgentName("sig")
                .withMetadata(release.toString())).await(WAIT);
    }

    private void awaitStatus(String jobId, JobStatus status) {
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == status, WAIT);
    }

    @Test
    void sigtermWithTwoRunningJobsReportsFullAtOnceLetsBothFinishAndExitsZero() throws Exception {
        startDaemon("thread");
        OfferOutcome a = offer(tmp.resolve("release-a"));
        OfferOutcome b = offer(tmp.resolve("release-b"));
        awaitStatus(a.jobId(), JobStatus.JS_RUNNING);
        awaitStatus(b.jobId(), JobStatus.JS_RUNNING);

        daemon.toHandle().destroy(); // SIGTERM
        server.awaitMessage(m -> m.hasUpdateWorker()
                && m.getUpdateWorker().getStatus() == LivekitAgent.WorkerStatus.WS_FULL, WAIT);
        String workerId = server.awaitWorker(WAIT).workerId();
        OfferOutcome late = server.offerJob(JobSpec.forRoom("late").withAgentName("sig").onlyTo(workerId)).await(WAIT);
        assertThat(late.assigned()).isFalse();
        assertThat(daemon.isAlive()).isTrue();

        Files.createFile(tmp.resolve("release-a"));
        awaitStatus(a.jobId(), JobStatus.JS_SUCCESS);
        assertThat(daemon.isAlive()).isTrue();
        Files.createFile(tmp.resolve("release-b"));
        awaitStatus(b.jobId(), JobStatus.JS_SUCCESS);

        assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isZero();
        assertThat(tmp.resolve("lk.pid")).doesNotExist();
        assertThat(Files.readString(tmp.resolve("lk.pid.exit")).trim()).isEqualTo("0");
    }

    @Test
    void jobProcessesDoNotGetTheApiSecret() throws Exception {
        startDaemon("process", envAgentJar());
        Path seen = tmp.resolve("seen-env");
        OfferOutcome job = offer(seen);
        awaitStatus(job.jobId(), JobStatus.JS_SUCCESS);
        assertThat(Files.readString(seen)).isEqualTo("secret=null key=devkey marker=passed-on");
    }

    @Test
    void secondSigtermStopsJobsAtOnceAndLeavesNoChildProcess() throws Exception {
        startDaemon("process");
        OfferOutcome a = offer(tmp.resolve("never-released"));
        awaitStatus(a.jobId(), JobStatus.JS_RUNNING);
        List<ProcessHandle> children = daemon.toHandle().descendants().toList();
        assertThat(children).isNotEmpty();

        daemon.toHandle().destroy();
        server.awaitMessage(m -> m.hasUpdateWorker()
                && m.getUpdateWorker().getStatus() == LivekitAgent.WorkerStatus.WS_FULL, WAIT);
        daemon.toHandle().destroy();

        assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isEqualTo(130);
        // Stopped at once: every child was killed and reaped before the daemon exited...
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        // ...and the job was reported failed, with why, before the socket closed.
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(a.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_FAILED
                && m.getUpdateJob().getError().contains("second signal"), WAIT);
    }
}
