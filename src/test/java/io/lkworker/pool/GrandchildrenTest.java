package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import io.lkworker.testing.Procs;
import io.lkworker.worker.JobOutcome;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes an agent starts end with its job: on a normal end and when the job process is killed. */
@Tag("process")
class GrandchildrenTest {

    @TempDir
    Path tmp;

    private static long grandchild(ListAppenderSupport logs) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                logs.count(e -> e.getFormattedMessage().startsWith("grandchild ")) == 1);
        return logs.events().stream().map(e -> e.getFormattedMessage()).filter(m -> m.startsWith("grandchild "))
                .map(m -> Long.parseLong(m.substring("grandchild ".length()))).findFirst().orElseThrow();
    }

    private static void awaitGone(long pid) {
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> !Procs.running(pid));
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildProcessOfTheJobEndsWithTheJob() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1));
             ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_spawn", "spawn");
            long pid = grandchild(logs);
            assertThat(Procs.running(pid)).isTrue();
            h.terminate("AJ_spawn", "done");
            assertThat(job.outcome(Duration.ofSeconds(20))).isEqualTo(JobOutcome.succeeded());
            awaitGone(pid);
        }
    }

    @Test
    void anOrphanedProcessOfTheJobEndsWithTheJob() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1));
             ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_orphan", "orphan");
            long pid = grandchild(logs);
            // no longer a descendant of the job process: only its process group still ties it to the job
            assertThat(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                    .isNotEqualTo(job.pid());
            h.terminate("AJ_orphan", "done");
            assertThat(job.outcome(Duration.ofSeconds(20))).isEqualTo(JobOutcome.succeeded());
            awaitGone(pid);
        }
    }

    @Test
    void processesOfAKilledJobEndWithIt() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        PoolOptions options = PoolHarness.options(jar, 1).withPings(Duration.ofMillis(200), Duration.ofMillis(1500));
        try (PoolHarness h = new PoolHarness(options); ListAppenderSupport logs = new ListAppenderSupport()) {
            PoolHarness.Job job = h.launch("AJ_killed", "orphan");
            long pid = grandchild(logs);
            long child = job.pid();
            assertThat(Procs.signal(child, "STOP")).isTrue(); // unresponsive: the pool SIGKILLs it
            assertThat(job.outcome(Duration.ofSeconds(20)).error()).contains("unresponsive");
            awaitGone(pid);
        }
    }
}
