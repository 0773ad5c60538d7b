package io.lkworker.bench;

import io.lkworker.bench.agent.BenchAgent;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ReceivedMessage;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.ServerListener;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.localserver.agent.WorkerHandle;
import io.lkworker.pool.AgentJarFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import livekit.LivekitAgent.JobStatus;

/**
 * End-to-end benchmark of the real daemon (not a test). Run from the project directory:
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.WorkerBenchmark [--rounds 3] [--seq 50]
 *     [--java-home DIR] [--daemon-opts "JAVA_OPTS for the daemon"]
 * </pre>
 * It starts an in-process {@link LocalLiveKitServer}, builds the bench agent jar
 * ({@code io.lkworker.bench.agent.BenchAgent}), and runs the daemon through {@code bin/lk-worker}
 * (which, in a source checkout, execs {@code java $JAVA_OPTS -cp target/classes:$(cat target/classpath.txt)
 * io.lkworker.cli.Main}) as {@code lk-worker start --url <server> --api-key devkey --api-secret secret
 * --agent <jar> --num-idle-processes 3 --load-threshold inf --health-port -1 --log-format json
 * --log-level warn --run-dir <tmp>}, so the daemon, its launcher defaults and its children are the
 * production ones. Each round measures registration, warm jobs, a burst, RSS, and then cold starts
 * with a second daemon ({@code --num-idle-processes 0}); the report gives every round and the medians.
 * Results replace the marked section of benchmarks/results.md.
 *
 * <p>Times are wall-clock epoch nanos: "assigned" is taken in the server's {@code onJobOutcome}
 * listener for ASSIGNED, which the dispatcher calls right after the JobAssignment frame has been
 * written to the socket; "entered" is the agent's {@code Instant.now()} on entering its entrypoint.
 */
public final class WorkerBenchmark {

    private static final String BEGIN = "<!-- BEGIN WorkerBenchmark (generated) -->";
    private static final String END = "<!-- END WorkerBenchmark -->";
    /** Pause after the pool is full before a timed job: jobs arrive at a quiet pool, not during a JVM start. */
    private static final long SETTLE_MILLIS = 500;

    private final LocalLiveKitServer server;
    private final Path work;
    private final Path agentJar;
    private final Path runDir;
    private final BenchEvents events;
    private final String javaHome;
    private final String daemonOpts;
    private final Map<String, Long> assignedAt = new ConcurrentHashMap<>();
    private final Map<String, JobStatus> ended = new ConcurrentHashMap<>();
    private volatile long registeredAt;

    private WorkerBenchmark(String javaHome, String daemonOpts) throws IOException {
        this.javaHome = javaHome;
        this.daemonOpts = daemonOpts;
        this.work = Files.createTempDirectory("lkw-wbench-");
        this.agentJar = AgentJarFixture.build(work.resolve("agent"), BenchAgent.class);
        this.runDir = Files.createDirectories(work.resolve("run"));
        this.events = new BenchEvents(work.resolve("events.log"));
        // The server's load rule off (as in dev mode): the worker reports the machine's CPU load, and a
        // shared build machine would otherwise make the server refuse jobs ("no servers available").
        this.server = LocalLiveKitServer.create(ServerConfig.builder().targetLoad(Double.POSITIVE_INFINITY).build())
                .start();
        server.addListener(new ServerListener() {
            @Override
            public void onWorkerRegistered(WorkerHandle worker) {
                registeredAt = epochNanos();
            }

            @Override
            public void onJobOutcome(OfferOutcome outcome) {
                if (outcome.assigned()) {
                    assignedAt.put(outcome.jobId(), epochNanos());
                }
            }

            @Override
            public void onMessage(ReceivedMessage m) {
                if (m.message().hasUpdateJob()) {
                    JobStatus s = m.message().getUpdateJob().getStatus();
                    if (s == JobStatus.JS_SUCCESS || s == JobStatus.JS_FAILED) {
                        ended.put(m.message().getUpdateJob().getJobId(), s);
                    }
                }
            }
        });
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int seq = 50;
        String javaHome = System.getProperty("java.home");
        String daemonOpts = "";
        Path out = Path.of("benchmarks", "results.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--seq" -> seq = Integer.parseInt(args[i + 1]);
                case "--java-home" -> javaHome = args[i + 1];
                case "--daemon-opts" -> daemonOpts = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]); // experiments: keep results.md's section as it is
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        WorkerBenchmark bench = new WorkerBenchmark(javaHome, daemonOpts);
        List<RoundResult> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            RoundResult result = bench.round(seq);
            System.out.println("round " + r + ": " + result);
            results.add(result);
        }
        String report = Report.render(results, javaHome, daemonOpts, seq);
        System.out.println(report);
        writeSection(out, report);
        bench.server.close();
        System.exit(0);
    }

    private RoundResult round(int seqJobs) throws Exception {
        RoundResult r = new RoundResult();
        r.loadBefore = ProcMemory.loadAvg();
        try (Daemon d = startDaemon(3)) {
            r.registerMs = d.registerMs;
            awaitIdle(d, 3);
            // The first child to exit writes the class-data sharing archive; then cycle every idle
            // child once so all of them started with it (a long-running daemon's steady state).
            for (int i = 0; i < 6 && !archiveExists(); i++) {
                runJob(d);
            }
            for (int i = 0; i < 3; i++) {
                runJob(d);
            }
            awaitIdle(d, 3);
            Thread.sleep(3000); // settle (JIT, GC) before sampling memory: a measurement, not synchronisation
            r.daemonRssKb = ProcMemory.rssKb(d.pid());
            for (long pid : events.idlePids()) {
                r.childRssKb.add(ProcMemory.rssKb(pid));
            }
            r.treeRssKb = r.daemonRssKb + d.process.toHandle().descendants()
                    .mapToLong(h -> Math.max(0, ProcMemory.rssKb(h.pid()))).sum();
            r.daemonPssKb = ProcMemory.pssKb(d.pid());
            for (long pid : events.idlePids()) {
                r.childPssKb.add(ProcMemory.pssKb(pid));
            }
            r.treePssKb = r.daemonPssKb + d.process.toHandle().descendants()
                    .mapToLong(h -> Math.max(0, ProcMemory.pssKb(h.pid()))).sum();
            r.treeProcesses = 1 + (int) d.process.toHandle().descendants().count();

            for (int i = 0; i < seqJobs; i++) {
                r.warmMs.add(runJob(d));
            }
            awaitIdle(d, 3);
            r.loadDuring = ProcMemory.loadAvg();
            List<String> burst = new ArrayList<>();
            Map<String, Long> offeredAt = new LinkedHashMap<>();
            for (int i = 0; i < 20; i++) {
                long t = epochNanos();
                String id = server.offerJob(JobSpec.forRoom("burst-" + System.nanoTime())).jobId();
                offeredAt.put(id, t);
                burst.add(id);
            }
            for (String id : burst) {
                await(() -> events.enteredAt.containsKey(id) && assignedAt.containsKey(id), 60_000, "burst job " + id);
                r.burstMs.add((events.enteredAt.get(id) - assignedAt.get(id)) / 1e6);
                r.burstOfferMs.add((events.enteredAt.get(id) - offeredAt.get(id)) / 1e6);
            }
            for (String id : burst) {
                await(() -> ended.containsKey(id), 60_000, "end of burst job " + id);
            }
        }
        try (Daemon d = startDaemon(0)) {
            r.registerIdle0Ms = d.registerMs;
            for (int i = 0; i < 7; i++) {
                Thread.sleep(SETTLE_MILLIS);
                r.coldMs.add(runJob(d));
            }
        }
        r.loadAfter = ProcMemory.loadAvg();
        return r;
    }

    /** Offers one job on a settled pool, waits for its end and its process's exit; returns assigned → entered in ms. */
    private double runJob(Daemon d) throws Exception {
        if (d.idle > 0) {
            awaitIdle(d, d.idle);
        }
        String id = server.offerJob(JobSpec.forRoom("seq-" + System.nanoTime())).jobId();
        await(() -> events.enteredAt.containsKey(id) && assignedAt.containsKey(id), 60_000, "job " + id);
        await(() -> ended.containsKey(id), 60_000, "end of job " + id);
        if (ended.get(id) != JobStatus.JS_SUCCESS) {
            throw new IllegalStateException("job " + id + " ended " + ended.get(id));
        }
        return (events.enteredAt.get(id) - assignedAt.get(id)) / 1e6;
    }

    private void awaitIdle(Daemon d, int n) throws Exception {
        await(() -> events.idle() >= n && d.process.isAlive(), 60_000, n + " idle children");
        Thread.sleep(SETTLE_MILLIS);
    }

    private boolean archiveExists() throws IOException {
        Path cds = runDir.resolve("cds");
        if (!Files.isDirectory(cds)) {
            return false;
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.anyMatch(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"));
        }
    }

    private Daemon startDaemon(int idle) throws Exception {
        registeredAt = 0;
        List<String> cmd = List.of("sh", Path.of("bin", "lk-worker").toString(), "start",
                "--url", server.url(), "--api-key", "devkey", "--api-secret", "secret",
                "--agent", agentJar.toString(), "--num-idle-processes", Integer.toString(idle),
                "--load-threshold", "inf", "--health-port", "-1", "--log-format", "json", "--log-level", System.getProperty("bench.logLevel", "warn"),
                "--run-dir", runDir.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("daemon.log").toFile()));
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("JAVA_OPTS", daemonOpts);
        pb.environment().put("LKW_BENCH_EVENTS", work.resolve("events.log").toString());
        pb.environment().remove("LIVEKIT_URL");
        long t0 = epochNanos();
        Process p = pb.start();
        Daemon d = new Daemon(p, idle);
        await(() -> registeredAt != 0, 60_000, "worker registration");
        d.registerMs = (registeredAt - t0) / 1e6;
        return d;
    }

    private final class Daemon implements AutoCloseable {
        final Process process;
        final int idle;
        double registerMs;

        Daemon(Process process, int idle) {
            this.process = process;
            this.idle = idle;
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws Exception {
            List<ProcessHandle> tree = process.toHandle().descendants().toList();
            process.destroy(); // SIGTERM: drain (nothing runs) and exit
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("daemon did not exit on SIGTERM; see " + work.resolve("daemon.log"));
            }
            for (ProcessHandle h : tree) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private void await(BooleanSupplier condition, long timeoutMillis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + "; daemon log: "
                        + work.resolve("daemon.log"));
            }
            Thread.sleep(2);
        }
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void writeSection(Path file, String section) throws IOException {
        String old = Files.exists(file) ? Files.readString(file) : "";
        String block = BEGIN + "\n" + section + "\n" + END;
        int b = old.indexOf(BEGIN);
        int e = old.indexOf(END);
        String updated = b >= 0 && e > b ? old.substring(0, b) + block + old.substring(e + END.length())
                : old + (old.isEmpty() ? "" : "\n") + block + "\n";
        Files.createDirectories(file.getParent());
        Files.writeString(file, updated);
    }
}
