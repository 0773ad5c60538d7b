package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import io.lkworker.worker.JobOutcome;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job whose process fails in any way ends FAILED with the reason, quickly, and the pool refills. */
@Tag("process")
class CrashTest {

    @TempDir
    Path tmp;

    @Test
    void everyKindOfCrashIsReportedWithItsReasonAndThePoolRefills() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1))) {
            assertFails(h, "AJ_throw", "throw", "java.lang.IllegalStateException: boom from the agent");
            assertFails(h, "AJ_exit", "exit3", "job process exited with code 3");
            assertFails(h, "AJ_halt", "halt5", "job process exited with code 5");

            await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 1);
            PoolHarness.Job blocked = h.launch("AJ_kill9", "block");
            long pid = blocked.pid();
            long killedAt = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            JobOutcome outcome = blocked.outcome(Duration.ofSeconds(5));
            long detectedMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertThat(outcome).isEqualTo(JobOutcome.failed("job process died (signal 9)"));
            assertThat(detectedMs).isLessThan(1000);
            await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 1);
        }
    }

    private static void assertFails(PoolHarness h, String id, String mode, String reason) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 1);
        PoolHarness.Job job = h.launch(id, mode);
        long pid = job.pid();
        assertThat(job.outcome(Duration.ofSeconds(5))).isEqualTo(JobOutcome.failed(reason));
        // a job that failed by throwing is reported when its process says so, before it has exited
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).isEmpty());
    }
}
