package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.RunFiles;
import io.lkworker.health.HealthServer;
import io.lkworker.health.PrometheusWorkerMetrics;
import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.worker.WorkerSnapshot.JobSnapshot;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** status against the real health server on a loopback port, serving a fixed snapshot. */
class StatusCommandTest {

    private static final long STARTED = Instant.parse("2025-01-02T03:04:05.678Z").toEpochMilli();

    @TempDir
    Path dir;

    private HealthServer health;

    @AfterEach
    void stop() {
        if (health != null) {
            health.close();
        }
    }

    private String serve(WorkerSnapshot snapshot) throws Exception {
        health = new HealthServer("127.0.0.1", 0, () -> snapshot, new PrometheusWorkerMetrics()).start();
        return "http://127.0.0.1:" + health.port();
    }

    @Test
    void printsTheWorkerAndOneLinePerJob() throws Exception {
        String url = serve(new WorkerSnapshot("support-bot", "AW_abc123", "JT_ROOM", "draining", true, "", 0.42,
                List.of(new JobSnapshot("AJ_first", "room-a", "agent-AJ_first", STARTED, 4242, true),
                        new JobSnapshot("AJ_second", "room-b", "bob-agent", STARTED, 4343, false)),
                2, 1, 3, "0.1.0", 1, true, "effective load 0.42 (load 0.42), threshold 0.70; 2 running + 0 reserved jobs"));

        CliRun.Result r = new CliRun().run("status", "--url", url);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains(
                "worker id   AW_abc123",
                "agent name  support-bot",
                "type        JT_ROOM",
                "state       draining",
                "load        0.42",
                "available   yes (effective load 0.42 (load 0.42), threshold 0.70; 2 running + 0 reserved jobs)",
                "processes   2 idle, 1 starting",
                "version     0.1.0 (protocol 1)");
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).containsExactly(
                "JOB", "ROOM", "PID", "AGE", "CPU%", "RSS", "PSS", "PARTICIPANTS", "TRACKS", "STATE"));
        // started in 2025: hours old; the usage of these jobs is unknown
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s{2,}")).hasSize(10)
                .startsWith("AJ_first", "room-a", "4242").endsWith("-", "-", "-", "-", "-", "running")
                .satisfies(cells -> assertThat(cells[3]).matches("\\d+h\\d\\dm")));
        assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s{2,}")).hasSize(10)
                .startsWith("AJ_second", "room-b", "4343").endsWith("starting"));
    }

    @Test
    void idleUnregisteredAndUnhealthyWorker() throws Exception {
        String url = serve(new WorkerSnapshot("", "", "JT_ROOM", "failed", false, "lost the server for good", 0,
                List.of(), 0, 0, 0, "0.1.0", 1));

        CliRun.Result r = new CliRun().run("status", "--url", url + "/worker");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("worker id   (not registered)")
                .contains("agent name  (automatic dispatch)")
                .contains("state       failed (unhealthy: lost the server for good)")
                .contains("no jobs running");
    }

    @Test
    void unreachableHealthServerExitsOne() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun.Result r = new CliRun().run("status", "--url", "http://127.0.0.1:" + closedPort);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot reach the health server at http://127.0.0.1:" + closedPort
                + "/worker: connection refused\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void nothingRunningExitsOne() throws Exception {
        Path pidFile = dir.resolve("lk.pid");
        CliRun.Result r = new CliRun().run("status", "--pid-file", pidFile.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no lk-worker is running: pid file " + pidFile + " not found\n");
    }

    @Test
    void badUrlIsAUsageError() throws Exception {
        CliRun.Result r = new CliRun().run("status", "--health-url", "ftp://example.com");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --health-url: not an http(s) URL");
    }

    /**
     * Issue 20, item 1: the README's production shell exports LIVEKIT_URL (the LiveKit server); status
     * must still find the daemon through its pid file and ask its health server, not take LIVEKIT_URL
     * for the health server's URL.
     */
    @Test
    void findsTheDaemonThroughItsPidFileWhenLivekitUrlIsExported() throws Exception {
        serve(new WorkerSnapshot("support-bot", "AW_env", "JT_ROOM", "running", true, "", 0.1,
                List.of(), 1, 0, 0, "0.1.0", 1));
        Process daemon = StandInDaemon.spawn();
        try {
            Path runDir = dir.resolve("run");
            new RunFiles(runDir.resolve("lk-worker.pid")).writeStarted(daemon.pid(), "127.0.0.1", health.port(),
                    STARTED);
            Map<String, String> productionShell = Map.of("LIVEKIT_URL", "ws://127.0.0.1:7990",
                    "LIVEKIT_API_KEY", "APIkey", "LIVEKIT_API_SECRET", "not-printed", "LKW_RUN_DIR", runDir.toString());

            CliRun.Result r = new CliRun().env(productionShell).run("status");

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("worker id   AW_env").contains("state       running");
        } finally {
            daemon.destroyForcibly();
        }
    }

    /**
     * Issue 20, item 6: status finds a dev daemon by its own pid file (lk-worker-dev.pid) when no start
     * daemon has one in the run directory, and --dev picks it when both do.
     */
    @Test
    void findsTheDevDaemonByItsOwnPidFile() throws Exception {
        serve(new WorkerSnapshot("", "AW_dev", "JT_ROOM", "registered", true, "", 0, List.of(), 1, 0, 0, "0.1.0", 1));
        Process devDaemon = StandInDaemon.spawn();
        try {
            Path runDir = dir.resolve("run");
            new RunFiles(runDir.resolve("lk-worker-dev.pid")).writeStarted(devDaemon.pid(), "127.0.0.1", health.port(),
                    STARTED);
            Map<String, String> env = Map.of("LKW_RUN_DIR", runDir.toString());

            CliRun.Result onlyDev = new CliRun().env(env).run("status");
            assertThat(onlyDev.exitCode()).as(onlyDev.err()).isZero();
            assertThat(onlyDev.out()).contains("worker id   AW_dev");

            // a start daemon's pid file beside it (its process gone): status means start's, --dev means dev's
            java.nio.file.Files.writeString(runDir.resolve("lk-worker.pid"), "999999999\n");
            CliRun.Result startsFile = new CliRun().env(env).run("status");
            CliRun.Result devFlag = new CliRun().env(env).run("status", "--dev");

            assertThat(startsFile.exitCode()).isEqualTo(1);
            assertThat(startsFile.err()).contains(runDir.resolve("lk-worker.pid").toString());
            assertThat(devFlag.exitCode()).as(devFlag.err()).isZero();
            assertThat(devFlag.out()).contains("worker id   AW_dev");
        } finally {
            devDaemon.destroyForcibly();
        }
    }
}
