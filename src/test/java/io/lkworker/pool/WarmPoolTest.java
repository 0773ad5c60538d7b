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

@Tag("process")
class WarmPoolTest {

    @TempDir
    Path tmp;

    @Test
    void keepsChildrenWarmHandsThemOutFifoAndRefills() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 2))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 2);
            List<Long> warm = h.idlePids();
            assertThat(h.spawned()).isEqualTo(2);

            PoolHarness.Job first = h.launch("AJ_1", "ok");
            assertThat(first.pid()).isEqualTo(warm.get(0));
            assertThat(first.outcome(Duration.ofSeconds(10))).isEqualTo(JobOutcome.succeeded());

            // the replacement queues behind the second warm child: FIFO
            await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 2);
            assertThat(h.idlePids().get(0)).isEqualTo(warm.get(1));
            assertThat(h.spawned()).isEqualTo(3);

            PoolHarness.Job second = h.launch("AJ_2", "ok");
            assertThat(second.pid()).isEqualTo(warm.get(1));
            assertThat(second.outcome(Duration.ofSeconds(10)).success()).isTrue();
            assertThat(second.endedCalls).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(warm.get(1)).isEmpty());
        }
    }

    @Test
    void aJobThatFindsNoWarmChildGetsOneStartedForIt() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 0))) {
            assertThat(h.spawned()).isZero();
            PoolHarness.Job job = h.launch("AJ_wait", "ok");
            assertThat(job.outcome(Duration.ofSeconds(15))).isEqualTo(JobOutcome.succeeded());
            assertThat(h.spawned()).isEqualTo(1);
            assertThat(h.idle()).isZero();
        }
    }
}
