package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.RunFiles;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.testing.TestJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Waits in its entrypoint until the file named by the job's metadata exists. */
    static final String BLOCKING_AGENT = """
            package demo;
            import java.nio.file.*;
            import java.time.Duration;
            public class BlockingAgent implements io.lkworker.api.Agent {
                @Override public void entrypoint(io.lkworker.api.JobContext ctx) throws Exception {
                    Path release = Path.of(ctx.job().metadata());
                    org.slf4j.LoggerFactory.getLogger("demo").info("waiting for {}", release);
                    while (!Files.exists(release)) {
                        ctx.awaitShutdown(Duration.ofMillis(50));
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private LocalLiveKitServer server;

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (server != null) {
            server.close();
        }
    }

    private Process spawn(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process-" + processes.size() + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    @Test
    void missingPidFileExitsOne() throws Exception {
        Path pidFile = dir.resolve("none.pid");
        CliRun.Result r = new CliRun().run("drain", "--pid-file", pidFile.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no lk-worker is running: pid file " + pidFile + " not found\n");
    }

    @Test
    void defaultPidFileIsInTheRunDirectoryFromTheEnvironment() throws Exception {
        Path runDir = dir.resolve("run");
        CliRun.Result r = new CliRun().env(Map.of("LKW_RUN_DIR", runDir.toString())).run("drain");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("pid file " + runDir.resolve("lk-worker.pid") + " not found");
    }

    /**
     * The .deb's way: the service and an administrator's shell share no environment, but both read the
     * installation's lk-worker.properties, whose run-dir is where the daemon's pid file is.
     */
    @Test
    void drainAndStatusFindThePidFileThroughTheInstalledConfigFile() throws Exception {
        Path home = dir.resolve("opt/lk-worker");
        Path runDir = dir.resolve("run/lk-worker");
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/lk-worker.properties"), "run-dir=" + runDir + "\n");
        Map<String, String> adminShell = Map.of("LKW_RUN_DIR", "", "XDG_RUNTIME_DIR", "/run/user/0");

        CliRun.Result drain = new CliRun().env(adminShell).home(home).run("drain");
        CliRun.Result status = new CliRun().env(adminShell).home(home).run("status");

        assertThat(drain.err()).isEqualTo("error: no lk-worker is running: pid file " + runDir.resolve("lk-worker.pid")
                + " not found\n");
        assertThat(status.err()).contains("pid file " + runDir.resolve("lk-worker.pid") + " not found");
    }

    /** Issue 20, item 1: the README's production shell exports LIVEKIT_URL; drain still finds the daemon. */
    @Test
    void drainFindsTheDaemonThroughItsPidFileWhenLivekitUrlIsExported() throws Exception {
        Process daemon = StandInDaemon.spawn();
        processes.add(daemon);
        Path runDir = dir.resolve("run");
        new RunFiles(runDir.resolve("lk-worker.pid")).writeStarted(daemon.pid(), "127.0.0.1", -1, 0);
        Map<String, String> productionShell = Map.of("LIVEKIT_URL", "ws://127.0.0.1:7990",
                "LIVEKIT_API_KEY", "APIkey", "LIVEKIT_API_SECRET", "not-printed", "LKW_RUN_DIR", runDir.toString());

        CliRun.Result r = new CliRun().env(productionShell).run("drain");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("sent SIGTERM to lk-worker " + daemon.pid() + ": draining");
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void stalePidFileExitsOne() throws Exception {
        Process exited = spawn("sleep", "0");
        assertThat(exited.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path pidFile = Files.writeString(dir.resolve("stale.pid"), exited.pid() + "\n");

        CliRun.Result r = new CliRun().run("drain", "--pid-file", pidFile.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: stale pid file " + pidFile + ": process " + exited.pid()
                + " is not running\n");
    }

    @Test
    void unparsablePidFileExitsOne() throws Exception {
        Path pidFile = Files.writeString(dir.resolve("garbage.pid"), "not-a-pid\n");

        CliRun.Result r = new CliRun().run("drain", "--pid-file", pidFile.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: pid file " + pidFile + " does not hold a pid");
    }

    @Test
    void processThatIsNotAnLkWorkerIsNotSignalled() throws Exception {
        Process sleep = spawn("sleep", "30");
        Path pidFile = Files.writeString(dir.resolve("other.pid"), sleep.pid() + "\n");

        CliRun.Result viaFile = new CliRun().run("drain", "--pid-file", pidFile.toString());
        CliRun.Result viaPid = new CliRun().run("drain", "--pid", Long.toString(sleep.pid()));

        assertThat(viaFile.exitCode()).isEqualTo(1);
        assertThat(viaFile.err()).isEqualTo("error: process " + sleep.pid() + " is not an lk-worker daemon\n");
        assertThat(viaPid.exitCode()).isEqualTo(1);
        assertThat(viaPid.err()).isEqualTo(viaFile.err());
        // a signalled sleep would be gone by now: SIGTERM is delivered before kill(2) returns
        assertThat(sleep.waitFor(200, TimeUnit.MILLISECONDS)).as("sleep still running").isFalse();
    }

    @Test
    void timeoutWithoutWaitIsAUsageError() throws Exception {
        CliRun.Result r = new CliRun().run("drain", "--pid-file", dir.resolve("x.pid").toString(), "--timeout", "5s");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --timeout: only makes sense with --wait");
    }

    // The daemons below run with --load-threshold inf and the server with no target load: CPU load on
    // a small test machine (JVMs starting, javac) would otherwise make the daemon decline the job as
    // "at capacity", or the server refuse to offer it at all.

    /** The real daemon in its own JVM, its pid file, a running job; drain --wait follows it to the end. */
    @Test
    void drainWaitFollowsARealDaemonUntilItsJobFinishesAndReturnsItsExitCode() throws Exception {
        Path release = dir.resolve("release");
        RunningDaemon running = daemonWithABlockingJob("room-a", release, "--health-port", "0", "--health-host", "127.0.0.1");
        Process daemon = running.process();
        Path pidFile = running.pidFile();
        OfferOutcome job = running.job();
        assertThat(Files.readString(pidFile).trim()).isEqualTo(Long.toString(daemon.pid()));

        CliRun.Result status = new CliRun().run("status", "--pid-file", pidFile.toString());
        assertThat(status.exitCode()).as(status.err()).isZero();
        // the jobs table: one row, the job in its room, running
        assertThat(status.out()).containsPattern(job.jobId() + " +room-a +\\d+ .* running\n");

        LiveCli drain = LiveCli.start("drain", "--wait", "--pid-file", pidFile.toString());
        String progress = "draining: 1 job running (" + job.jobId() + " in room room-a)";
        await().atMost(WAIT).until(() -> drain.out().contains(progress) || drain.exitCode().isDone());
        assertThat(drain.out()).as(drain.err()).startsWith("sent SIGTERM to lk-worker " + daemon.pid() + ": draining\n")
                .contains(progress);
        // draining: the daemon stays up while its job runs
        assertThat(daemon.isAlive()).isTrue();
        assertThat(drain.exitCode()).isNotDone();

        Files.createFile(release);

        assertThat(drain.exitCode().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as(drain.out() + drain.err()).isZero();
        assertThat(drain.out()).endsWith("lk-worker " + daemon.pid() + " exited with code 0\n");
        // Changes only: the unchanged job list once, and the health server closing as the daemon exits
        // is part of the exit, not an error to print.
        assertThat(drain.out().split(java.util.regex.Pattern.quote(progress), -1)).hasSize(2);
        assertThat(drain.out()).doesNotContain("cannot reach");
        assertThat(daemon.isAlive()).isFalse();
        assertThat(daemon.exitValue()).isZero();
        assertThat(new RunFiles(pidFile).readExitCode()).contains(0);
        assertThat(pidFile).doesNotExist();
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);
    }

    @Test
    void statusNeedsAHealthServerAndDrainWaitTimesOutWhileTheJobRuns() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().targetLoad(Double.POSITIVE_INFINITY).build()).start();
        Path agentJar = TestJars.agentJar(dir.resolve("blocking.jar"), "demo.BlockingAgent", BLOCKING_AGENT);
        Path pidFile = dir.resolve("lk.pid");
        Process daemon = spawn(javaBin(), "-cp", TestJars.currentClassPath(), "io.lkworker.cli.Main", "start",
                "--url", server.url(), "--api-key", "devkey", "--api-secret", "secret",
                "--agent", agentJar.toString(), "--job-executor", "thread", "--load-threshold", "inf", "--health-port", "-1",
                "--pid-file", pidFile.toString(), "--log-format", "text");
        server.awaitWorker(WAIT);
        await().atMost(WAIT).until(() -> Files.exists(pidFile));
        OfferOutcome job = server.offerJob(JobSpec.forRoom("room-b")
                .withMetadata(dir.resolve("never").toString())).await(WAIT);
        assertThat(job.assigned()).as(job.toString()).isTrue();

        CliRun.Result status = new CliRun().run("status", "--pid-file", pidFile.toString());
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.err()).startsWith("error: lk-worker " + daemon.pid() + " has no health server");

        CliRun.Result r = new CliRun().run("drain", "--wait", "--timeout", "1500ms", "--pid-file", pidFile.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("waiting for lk-worker " + daemon.pid() + " to exit (no health server");
        assertThat(r.err()).isEqualTo("error: lk-worker " + daemon.pid() + " is still draining after 1.5s\n");
        assertThat(daemon.isAlive()).isTrue();
    }

    /** A second drain does not signal again (that would stop the jobs); --now does, and says so. */
    @Test
    void aSecondDrainSaysWhatItWouldDoAndNowStopsTheJobsAtOnce() throws Exception {
        RunningDaemon running = daemonWithABlockingJob("room-c", dir.resolve("never"), "--health-port", "0",
                "--health-host", "127.0.0.1");
        Process daemon = running.process();
        Path pidFile = running.pidFile();
        OfferOutcome job = running.job();

        CliRun.Result first = new CliRun().run("drain", "--pid-file", pidFile.toString());
        assertThat(first.out()).isEqualTo("sent SIGTERM to lk-worker " + daemon.pid() + ": draining\n");
        await().atMost(WAIT).until(() -> new CliRun().run("status", "--pid-file", pidFile.toString()).out()
                .contains("draining"));

        CliRun.Result second = new CliRun().run("drain", "--pid-file", pidFile.toString());
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo("lk-worker " + daemon.pid() + " is already draining; not signalling it"
                + " again: a second SIGTERM stops its jobs at once (lk-worker drain --now does that)\n");
        assertThat(daemon.isAlive()).as("the job still runs: the drain goes on").isTrue();

        CliRun.Result now = new CliRun().run("drain", "--now", "--wait", "--pid-file", pidFile.toString());
        assertThat(now.out()).startsWith("sent a second SIGTERM to lk-worker " + daemon.pid()
                + ": its jobs are stopped at once (reported failed)\n");
        assertThat(now.exitCode()).as(now.out() + now.err()).isEqualTo(130);
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isEqualTo(130);
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_FAILED, WAIT);
    }

    /** --now on a daemon that is not draining yet: the first SIGTERM, the drain seen, then the second. */
    @Test
    void drainNowOnARunningDaemonDrainsThenStopsTheJobs() throws Exception {
        RunningDaemon running = daemonWithABlockingJob("room-d", dir.resolve("never"), "--health-port", "0",
                "--health-host", "127.0.0.1");
        Process daemon = running.process();
        Path pidFile = running.pidFile();
        OfferOutcome job = running.job();

        CliRun.Result now = new CliRun().run("drain", "--now", "--wait", "--pid-file", pidFile.toString());

        assertThat(now.out()).startsWith("sent a second SIGTERM to lk-worker " + daemon.pid()
                + ": its jobs are stopped at once (reported failed)\n");
        assertThat(now.exitCode()).as(now.out() + now.err()).isEqualTo(130);
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_FAILED, WAIT);
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A real daemon ({@code start}, thread executor, pid file), registered and running one job. */
    private record RunningDaemon(Process process, Path pidFile, OfferOutcome job) { }

    /**
     * Starts a server and a daemon with the blocking agent and gets it a job in {@code room} that runs
     * until the file {@code release} exists.
     */
    private RunningDaemon daemonWithABlockingJob(String room, Path release, String... healthOptions) throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().targetLoad(Double.POSITIVE_INFINITY).build()).start();
        Path agentJar = TestJars.agentJar(dir.resolve("blocking.jar"), "demo.BlockingAgent", BLOCKING_AGENT);
        Path pidFile = dir.resolve("lk.pid");
        List<String> command = new ArrayList<>(List.of(javaBin(), "-cp", TestJars.currentClassPath(),
                "io.lkworker.cli.Main", "start", "--url", server.url(), "--api-key", "devkey", "--api-secret", "secret",
                "--agent", agentJar.toString(), "--job-executor", "thread", "--load-threshold", "inf",
                "--pid-file", pidFile.toString(), "--log-format", "text"));
        command.addAll(List.of(healthOptions));
        Process daemon = spawn(command.toArray(String[]::new));
        server.awaitWorker(WAIT);
        await().atMost(WAIT).until(() -> Files.exists(pidFile));
        OfferOutcome job = server.offerJob(JobSpec.forRoom(room).withMetadata(release.toString())).await(WAIT);
        assertThat(job.assigned()).as(job.toString()).isTrue();
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING, WAIT);
        return new RunningDaemon(daemon, pidFile, job);
    }
}
