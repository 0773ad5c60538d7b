package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first child writes a CDS archive when it exits; later children map it. */
@Tag("process")
class ClassDataSharingTest {

    @TempDir
    Path tmp;

    @Test
    void theTrainerWritesTheArchiveAndLaterChildrenMapIt() throws Exception {
        Path jar = AgentJarFixture.build(tmp.resolve("agent"), TestAgent.class);
        Path cache = tmp.resolve("cds");
        try (PoolHarness h = new PoolHarness(PoolHarness.options(jar, 1).withDirs(null, cache))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 1);
            PoolHarness.Job first = h.launch("AJ_train", "ok");
            String trainerCmd = cmdline(first.pid());
            assertThat(trainerCmd).contains("-XX:ArchiveClassesAtExit=");
            assertThat(first.outcome(Duration.ofSeconds(20)).success()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> archives(cache).length == 1);

            // the replacement may have started before the archive existed: cycle until one maps it
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                await().atMost(Duration.ofSeconds(20)).until(() -> h.idle() == 1);
                long pid = h.idlePids().get(0);
                if (cmdline(pid).contains("-XX:SharedArchiveFile=")) {
                    return Files.readString(Path.of("/proc", Long.toString(pid), "maps"))
                            .contains(archives(cache)[0]);
                }
                h.launch("AJ_cycle_" + System.nanoTime(), "ok").outcome(Duration.ofSeconds(20));
                return false;
            });
        }
    }

    private static String[] archives(Path cache) throws Exception {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(p -> p.toString().endsWith(".jsa")).map(Path::toString).toArray(String[]::new);
        }
    }

    private static String cmdline(long pid) throws Exception {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
    }
    /** A trainer killed before it wrote its archive leaves no file behind (JDK 25's recorded configuration included). */
    @Test
    void aTrainerThatDiedLeavesNothingInTheCache(@org.junit.jupiter.api.io.TempDir Path cache) throws Exception {
        ClassDataSharing cds = ClassDataSharing.create(cache, "java", java.util.List.of(), cache.resolve("agent.jar"),
                java.util.List.of("-XX:+UseSerialGC"));
        ClassDataSharing.Plan plan = cds.nextChild();
        assertThat(plan.training()).isTrue();
        Path config = plan.trainingOutput().resolveSibling(plan.trainingOutput().getFileName() + ".config");
        java.nio.file.Files.writeString(plan.trainingOutput(), "half-written");
        java.nio.file.Files.writeString(config, "recorded");

        cds.trainerExited(plan, 137); // SIGKILL

        try (var left = java.nio.file.Files.list(cache)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).isEmpty();
        }
        assertThat(cds.nextChild().training()).as("a new trainer may start").isTrue();
    }
}
