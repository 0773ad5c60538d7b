package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import io.lkworker.worker.JobOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory limit, unresponsive children, graceful termination and its escalation. */
@Tag("process")
class SupervisionTest {

    @TempDir
    Path tmp;

    @Test
    void aChildOverTheMemoryLimitIsKilled() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1)
                .withMemory(100, 150, Duration.ofMillis(200))
                .withJvmOptions(List.of("-Xmx512m"));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_hog", "hog:300");
            long pid = job.pid();
            JobOutcome outcome = job.outcome(Duration.ofSeconds(20));
            assertThat(outcome.error()).matches("killed: resident memory \\d+ MB over the limit of 150 MB");
            assertThat(ProcessHandle.of(pid)).isEmpty();
            assertThat(logs.count(e -> e.getFormattedMessage().contains("above the warning level of 100 MB")
                    && String.valueOf(pid).equals(e.getMDCPropertyMap().get("pid")))).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aTerminatedJobShutsDownGracefully() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1))) {
            PoolHarness.Job job = h.launch("AJ_await", "await");
            long pid = job.pid();
            assertThat(h.terminate("AJ_await", "room closed")).isTrue();
            assertThat(job.outcome(Duration.ofSeconds(5))).isEqualTo(JobOutcome.succeeded());
            // reported when the job ended; its process exits right after
            await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).isEmpty());
            assertThat(h.terminate("AJ_unknown", "x")).isFalse();
        }
    }

    @Test
    void aChildThatIgnoresShutdownIsKilled() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(1000), Duration.ofMillis(300));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_stubborn", "ignoreShutdown");
            long pid = job.pid();
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    logs.count(e -> e.getFormattedMessage().equals("ignoring shutdown")) == 1);
            long asked = System.nanoTime();
            h.terminate("AJ_stubborn", "drain");
            JobOutcome outcome = job.outcome(Duration.ofSeconds(15));
            long tookMs = (System.nanoTime() - asked) / 1_000_000;
            // Its entrypoint never stopped (abandoned after grace and interrupt): a failure, reported at once.
            assertThat(outcome.success()).isFalse();
            assertThat(outcome.error()).startsWith("entrypoint still running 1300 ms after shutdown was requested");
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
            // grace 0.3 + unwind 1 + callbacks 1 + slack 1: bounded
            assertThat(tookMs).isLessThan(6000);
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.count(e -> e.getFormattedMessage()
                    .startsWith("killing child: job process did not exit")
                    && String.valueOf(pid).equals(e.getMDCPropertyMap().get("pid"))) == 1);
        }
    }

    /**
     * A job's end is reported when the child says so, not when its JVM has exited; the exit is still
     * supervised: a process that cannot exit is killed after --shutdown-timeout, and counted.
     */
    @Test
    void aJobsEndIsReportedBeforeItsProcessExitsAndAHungExitIsKilled() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofMillis(1500), Duration.ofMillis(300));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_hang", "hangOnExit");
            long pid = job.pid();
            assertThat(job.outcome(Duration.ofSeconds(10))).isEqualTo(JobOutcome.succeeded());
            // reported while the process is still there (it cannot exit before it is killed)
            assertThat(ProcessHandle.of(pid)).isPresent();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> logs.count(e -> e.getFormattedMessage()
                    .startsWith("killing child: job process did not exit within 1500 ms")
                    && String.valueOf(pid).equals(e.getMDCPropertyMap().get("pid"))) == 1);
            // reported once: the kill after the end does not report the job again
            assertThat(h.call(() -> job.endedCalls)).isEqualTo(1);
        }
    }

    @Test
    void anUnresponsiveChildIsKilled() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1).withPings(Duration.ofMillis(200), Duration.ofMillis(1500));
        try (PoolHarness h = new PoolHarness(options)) {
            PoolHarness.Job job = h.launch("AJ_frozen", "block");
            long pid = job.pid();
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
            assertThat(stop.waitFor()).isZero();
            JobOutcome outcome = job.outcome(Duration.ofSeconds(10));
            assertThat(outcome).isEqualTo(JobOutcome.failed("job process unresponsive for 1 s, killed"));
            assertThat(ProcessHandle.of(pid)).isEmpty();
        }
    }
}
