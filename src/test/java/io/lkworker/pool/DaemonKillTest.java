package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.pool.agents.TestAgent;
import io.lkworker.testing.Procs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon leaves no orphaned child behind, even children that cannot run at that
 * moment (stopped): the kernel kills them (parent-death signal).
 */
@Tag("process")
class DaemonKillTest {

    @TempDir
    Path tmp;

    @Test
    void childrenDieWithTheirDaemon() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DaemonMain.class.getName(), jar.toString())
                .redirectError(tmp.resolve("daemon.err").toFile())
                .start();
        List<Long> pids;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> pidLine = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("PIDS ")) {
                            return line;
                        }
                    }
                    return null;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String line = pidLine.get(30, TimeUnit.SECONDS);
            assertThat(line).isNotNull();
            pids = Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).toList();
            assertThat(pids).hasSize(2).allMatch(Procs::running);
            // Stopped children cannot notice anything themselves: only the kernel's parent-death
            // signal can end them now, which is the promise (no dependence on a child being scheduled).
            for (long pid : pids) {
                assertThat(Procs.signal(pid, "STOP")).isTrue();
            }
        } finally {
            daemon.destroyForcibly(); // SIGKILL: no shutdown hooks, no goodbye
        }
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> pids.stream().noneMatch(Procs::running));
        } finally {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
