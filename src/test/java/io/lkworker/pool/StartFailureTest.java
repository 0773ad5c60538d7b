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

/** Prewarm that fails or overruns: the child is killed, respawning backs off, waiting jobs fail with the reason. */
@Tag("process")
class StartFailureTest {

    @TempDir
    Path tmp;

    @Test
    void slowPrewarmIsKilledAndRespawningBacksOff() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1)
                .withTimeouts(Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withJvmOptions(List.of("-Dlkw.test.prewarm=slow:60000"));
        try (PoolHarness h = new PoolHarness(options)) {
            PoolHarness.Job job = h.launch("AJ_slow", "ok");
            long started = System.nanoTime();
            JobOutcome outcome = job.outcome(Duration.ofSeconds(20));
            assertThat(outcome.success()).isFalse();
            assertThat(outcome.error()).startsWith("no job process became available: not ready within 1500 ms");
            // Without backoff, a 1.5 s timeout and 2 concurrent starts would give ~8 spawns in 6 s.
            // With 0.5, 1, 2, 4 s pauses between failures we expect at most 4.
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> h.spawned() <= 5);
            long windowSeconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertThat(h.spawned()).as("spawns in %d s", windowSeconds).isBetween(3, 5);
            assertThat(h.idle()).isZero();
        }
    }

    @Test
    void warmChildrenThatDieWhileIdleAreReplacedWithBackoff() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1).withJvmOptions(List.of("-Dlkw.test.prewarm=dieAfter:1000"));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            await().atMost(Duration.ofSeconds(90)).until(() -> logs.count(e ->
                    e.getFormattedMessage().startsWith("idle process exited")) >= 3);
            // Every death is a failure, whether the child was still starting (a slow machine) or
            // already warm: the delays escalate instead of a respawn loop at full speed.
            List<Long> delays = logs.events().stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m.startsWith("idle process exited") || m.startsWith("job process start failed"))
                    .map(m -> Long.parseLong(m.replaceAll(".*next start in (\\d+) ms.*", "$1"))).toList();
            for (int i = 0; i < delays.size(); i++) {
                assertThat(delays.get(i)).as("delay after failure %d of %s", i + 1, delays)
                        .isEqualTo(Math.min(30_000L, 500L << i));
            }
        }
    }

    @Test
    void failingPrewarmFailsTheWaitingJobWithTheError() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1).withJvmOptions(List.of("-Dlkw.test.prewarm=fail"));
        try (PoolHarness h = new PoolHarness(options)) {
            PoolHarness.Job job = h.launch("AJ_failwarm", "ok");
            JobOutcome outcome = job.outcome(Duration.ofSeconds(30));
            assertThat(outcome.error()).isEqualTo("no job process became available: prewarm failed: "
                    + "java.lang.IllegalStateException: prewarm refused on purpose");
            assertThat(h.idle()).isZero();
        }
    }
}
