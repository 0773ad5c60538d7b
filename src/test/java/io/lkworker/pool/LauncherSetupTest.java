package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first launcher (the class path packed, the agent jar scanned, the archive's key read) is made
 * off the event loop: the loop turn that starts the pool returns before any child is started, so the
 * loop can answer the first offers meanwhile; the child follows once the launcher is ready.
 */
@Tag("process")
class LauncherSetupTest {

    @TempDir
    Path tmp;

    @Test
    void startingThePoolDoesNotMakeTheLauncherOnTheLoop() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1), false)) {
            int spawnedInTheStartingTurn = h.call(() -> {
                h.pool.start();
                return h.pool.spawnedCount();
            });
            assertThat(spawnedInTheStartingTurn).as("children started within the loop turn that started the pool").isZero();

            await().atMost(Duration.ofSeconds(30)).until(() -> h.idle() == 1);
            assertThat(h.spawned()).isEqualTo(1);
        }
    }
}
