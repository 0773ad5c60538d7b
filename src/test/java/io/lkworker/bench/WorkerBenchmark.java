package io.lkworker.bench;

import io.lkworker.bench.agent.BenchAgent;
import io.lkworker.pool.AgentJarFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * End-to-end benchmark of the real daemon (not a test), measured from the server's side. Run from the
 * project directory (after {@code npm ci} in {@code src/test/js}):
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.WorkerBenchmark [--rounds 3] [--seq 50]
 *     [--java-home DIR] [--daemon-opts "JAVA_OPTS for the daemon"] [--out FILE]
 *     [--mode settled|stream] [--stream-threshold T|default] [--stream-idle N] [--stream-gap-ms MS]
 * </pre>
 * The server is {@code src/test/js/agent-server.mjs} ({@link NodeAgentServer}): LiveKit's official
 * protocol classes on Node's {@code ws}, a server that is not ours, with TCP_NODELAY on its side as the
 * real server has. It builds the bench agent jar ({@code io.lkworker.bench.agent.BenchAgent}) and runs
 * the daemon through {@code bin/lk-worker} as {@code lk-worker start --url <server> --api-key devkey
 * --api-secret secret --agent <jar> --num-idle-processes 3 --load-threshold inf --health-port -1
 * --log-format json --log-level warn --run-dir <tmp>}, so the daemon, its launcher defaults and its
 * children are the production ones. Each round measures registration, sequential warm jobs (answer,
 * JS_RUNNING, entrypoint, final status), memory, a burst of 20, cold starts with a second daemon
 * ({@code --num-idle-processes 0}) and, with a third at the default load threshold and the server's
 * real load rule (target load 0.7), the offers refused while the worker had free slots.
 *
 * <p>Times are epoch nanos: "assigned" is when the server wrote the JobAssignment; "entered" and
 * "returned" are the agent's {@code Instant.now()} first and last thing in its entrypoint; the server
 * stamps every message it receives. Answer and JS_RUNNING delays are the server's own durations.
 */
public final class WorkerBenchmark {

    /** Pause after the pool is full before a timed job: jobs arrive at a quiet pool, not during a JVM start. */
    private static final long SETTLE_MILLIS = 500;

    private final NodeAgentServer server;
    private final Path work;
    private final Path agentJar;
    private final Path runDir;
    private final BenchEvents events;
    private final String javaHome;
    private final String daemonOpts;

    private WorkerBenchmark(String javaHome, String daemonOpts) throws Exception {
        this.javaHome = javaHome;
        this.daemonOpts = daemonOpts;
        this.work = Files.createTempDirectory("lkw-wbench-");
        this.agentJar = AgentJarFixture.build(work.resolve("agent"), BenchAgent.class);
        this.runDir = Files.createDirectories(work.resolve("run"));
        this.events = new BenchEvents(work.resolve("events.log"));
        // The server's load rule off (as in dev mode) except in the refusal phase: the worker reports the
        // machine's CPU load, and a shared build machine would otherwise make the server refuse jobs.
        this.server = new NodeAgentServer(Path.of("src", "test", "js").toAbsolutePath(), Double.POSITIVE_INFINITY,
                work.resolve("server.log"));
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int seq = 50;
        String javaHome = System.getProperty("java.home");
        String daemonOpts = "";
        String mode = "settled";
        String streamThreshold = "inf";
        int streamIdle = 3;
        long streamGapMs = 0;
        Path out = Path.of("benchmarks", "results.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--seq" -> seq = Integer.parseInt(args[i + 1]);
                case "--java-home" -> javaHome = args[i + 1];
                case "--daemon-opts" -> daemonOpts = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]); // experiments: keep results.md's section as it is
                case "--mode" -> mode = args[i + 1]; // settled (default) or stream
                case "--stream-threshold" -> streamThreshold = args[i + 1]; // --load-threshold of the stream daemon ("default": none given)
                case "--stream-idle" -> streamIdle = Integer.parseInt(args[i + 1]); // --num-idle-processes of the stream daemon
                case "--stream-gap-ms" -> streamGapMs = Long.parseLong(args[i + 1]); // pause between a final status and the next offer
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!mode.equals("settled") && !mode.equals("stream")) {
            throw new IllegalArgumentException("--mode must be settled or stream, not " + mode);
        }
        WorkerBenchmark bench = new WorkerBenchmark(javaHome, daemonOpts);
        if (mode.equals("stream")) {
            List<StreamRound> streams = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                StreamRound result = bench.streamRound(streamThreshold.equals("default") ? null : streamThreshold, streamIdle, streamGapMs);
                System.out.println("stream round " + r + ": " + result);
                streams.add(result);
            }
            String report = StreamRound.render(streams, javaHome, daemonOpts, streamThreshold, streamIdle, streamGapMs, rounds);
            System.out.println(report);
            new GeneratedSection("WorkerBenchmark stream").write(out, report);
            bench.server.close();
            System.exit(0);
        }
        List<RoundResult> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            RoundResult result = bench.round(seq);
            System.out.println("round " + r + ": " + result);
            results.add(result);
        }
        String report = Report.render(results, javaHome, daemonOpts, seq, rounds);
        System.out.println(report);
        new GeneratedSection("WorkerBenchmark").write(out, report);
        bench.server.close();
        System.exit(0);
    }

    private RoundResult round(int seqJobs) throws Exception {
        RoundResult r = new RoundResult();
        r.loadBefore = ProcMemory.loadAvg();
        try (Daemon d = startDaemon(3, "inf")) {
            r.registerMs = d.registerMs;
            awaitIdle(d, 3);
            // The first child to exit writes the class-data sharing archive; then cycle every idle
            // child once so all of them started with it (a long-running daemon's steady state).
            for (int i = 0; i < 6 && !archiveExists(); i++) {
                runJob(d, null);
            }
            for (int i = 0; i < 3; i++) {
                runJob(d, null);
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
                r.warmMs.add(runJob(d, r));
            }
            awaitIdle(d, 3);
            r.loadDuring = ProcMemory.loadAvg();
            List<String> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(server.offer("burst-" + i));
            }
            for (String id : burst) {
                NodeAgentServer.JobView v = server.job(id);
                await(() -> v.refused != null || v.endedAt != 0 || (events.enteredAt.containsKey(id) && v.assignedAt != 0),
                        60_000, "burst job " + id);
                if (v.refused != null) {
                    r.burstRefused++;
                    continue;
                }
                if (!events.enteredAt.containsKey(id)) {
                    r.burstFailed++; // ended without running: no job process became available in time
                    continue;
                }
                r.burstMs.add((events.enteredAt.get(id) - v.assignedAt) / 1e6);
                await(() -> v.endedAt != 0, 60_000, "end of burst job " + id);
            }
        }
        try (Daemon d = startDaemon(0, "inf")) {
            r.registerIdle0Ms = d.registerMs;
            for (int i = 0; i < 7; i++) {
                Thread.sleep(SETTLE_MILLIS);
                r.coldMs.add(runJob(d, null));
            }
        }
        refusalPhase(r);
        r.loadAfter = ProcMemory.loadAvg();
        return r;
    }

    /**
     * The production defaults for capacity: the daemon's default load threshold (0.7), and the
     * server's real rule (no offer to a worker that reported WS_FULL or a load at or above 0.7). The
     * worker has no --max-jobs and never runs more than two of these jobs, so it always has a free
     * slot: every refusal counts. 10 sequential offers 300 ms apart, then 5 pairs of concurrent ones.
     */
    private void refusalPhase(RoundResult r) throws Exception {
        server.command("{\"op\":\"targetLoad\",\"value\":0.7}");
        try (Daemon d = startDaemon(3, null);
             OthersLoad others = new OthersLoad(() -> OthersLoad.ticks(d.pid(), true)
                     + d.process.toHandle().descendants().mapToLong(h -> OthersLoad.ticks(h.pid(), false)).sum())) {
            // A worker that finds itself full warms no processes: wait for the pool, but not for ever
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (events.idle() < 3 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            Thread.sleep(2600); // one status period: the server has the worker's settled status
            List<String> ids = new ArrayList<>();
            java.util.Map<String, Double> othersAt = new java.util.HashMap<>();
            for (int i = 0; i < 10; i++) {
                String id = server.offer("seq-default-" + i);
                ids.add(id);
                othersAt.put(id, others.average());
                Thread.sleep(300);
            }
            for (int i = 0; i < 5; i++) {
                String a = server.offer("pair-a-" + i);
                String b = server.offer("pair-b-" + i);
                ids.add(a);
                ids.add(b);
                othersAt.put(a, others.average());
                othersAt.put(b, others.average());
                Thread.sleep(1500);
            }
            for (String id : ids) {
                NodeAgentServer.JobView v = server.job(id);
                await(() -> v.refused != null || v.endedAt != 0, 60_000, "end of job " + id);
                r.defaultOffers++;
                if (v.refused != null) {
                    r.refusedWithFreeSlots++;
                    double o = othersAt.get(id);
                    boolean busy = o >= 0.7; // other work alone was over the threshold: not the worker's doing
                    if (!busy) {
                        r.refusedSelfInflicted++;
                    }
                    r.refusals.add(v.refused + String.format(" (others %.2f)", o));
                }
            }
        } finally {
            server.command("{\"op\":\"targetLoad\",\"value\":\"Infinity\"}");
        }
    }

    /**
     * Offers one job on a settled pool, waits for its end and its process's exit; returns assigned →
     * entered in ms. With {@code r}, also records the server-side delays of this job.
     */
    private double runJob(Daemon d, RoundResult r) throws Exception {
        if (d.idle > 0) {
            awaitIdle(d, d.idle);
        }
        String id = server.offer("seq-" + System.nanoTime());
        NodeAgentServer.JobView v = server.job(id);
        await(() -> v.refused != null || (events.enteredAt.containsKey(id) && v.assignedAt != 0), 60_000, "job " + id);
        if (v.refused != null) {
            throw new IllegalStateException("job " + id + " refused: " + v.refused);
        }
        await(() -> v.endedAt != 0 && v.runningAt != 0 && events.returnedAt.containsKey(id), 60_000, "end of job " + id);
        if (!"JS_SUCCESS".equals(v.endStatus)) {
            throw new IllegalStateException("job " + id + " ended " + v.endStatus);
        }
        if (r != null) {
            r.answerMs.add(v.answerMs);
            r.runningMs.add(v.runningMs);
            r.endMs.add((v.endedAt - events.returnedAt.get(id)) / 1e6);
        }
        return (events.enteredAt.get(id) - v.assignedAt) / 1e6;
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

    /**
     * Stream mode: jobs dispatched as a server under traffic does, with no settling and no waiting for
     * idle children. After start-up (the pool's first fill and the class-data archive, as a long-running
     * daemon has them), 20 jobs one after another, each offered as soon as the server received the
     * previous one's final status (the agent holds 100 ms and returns), then 20 more whose agent calls
     * {@code ctx.shutdown} after its hold, then a burst of 20 at once. CPU is the whole process tree's
     * (the daemon, its live children, and the children it reaped), over each phase, per job.
     * {@code gapMs} > 0 paces the stream: the next offer comes that long after the previous final
     * status, a lower arrival rate than back to back (the experiment for what bounds the stream).
     */
    private StreamRound streamRound(String threshold, int idle, long gapMs) throws Exception {
        StreamRound r = new StreamRound();
        r.loadBefore = ProcMemory.loadAvg();
        try (Daemon d = startDaemon(idle, threshold)) {
            r.registerMs = d.registerMs;
            await(() -> events.idle() >= idle && d.process.isAlive(), 120_000, idle + " idle children");
            for (int i = 0; i < 6 && !archiveExists(); i++) {
                runJob(d, null);
            }
            await(() -> events.idle() >= idle && d.process.isAlive(), 120_000, idle + " idle children");
            int noWarmBefore = countLog("no warm process for job");
            for (String kind : List.of("hold", "shut")) {
                StreamRound.Phase ph = r.phase(kind);
                ph.load = ProcMemory.loadAvg();
                long cpu0 = treeTicks(d);
                long daemon0 = OthersLoad.ticks(d.pid(), false);
                for (int i = 0; i < 20; i++) {
                    String id = server.offer(kind + "-" + i);
                    NodeAgentServer.JobView v = server.job(id);
                    await(() -> v.refused != null || v.endedAt != 0, 60_000, "stream job " + id);
                    awaitEvents(id, v);
                    ph.record(id, v, events);
                    if (gapMs > 0) {
                        Thread.sleep(gapMs); // pacing of arrivals, not synchronisation
                    }
                }
                ph.cpuPerJob = (treeTicks(d) - cpu0) / TICKS_PER_SECOND / 20;
                ph.daemonCpuPerJob = (OthersLoad.ticks(d.pid(), false) - daemon0) / TICKS_PER_SECOND / 20;
            }
            StreamRound.Phase burst = r.phase("burst");
            burst.load = ProcMemory.loadAvg();
            long cpu0 = treeTicks(d);
            long daemon0 = OthersLoad.ticks(d.pid(), false);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(server.offer("hold-burst-" + i));
            }
            for (String id : ids) {
                NodeAgentServer.JobView v = server.job(id);
                await(() -> v.refused != null || v.endedAt != 0, 60_000, "burst job " + id);
                awaitEvents(id, v);
                burst.record(id, v, events);
            }
            burst.cpuPerJob = (treeTicks(d) - cpu0) / TICKS_PER_SECOND / 20;
            burst.daemonCpuPerJob = (OthersLoad.ticks(d.pid(), false) - daemon0) / TICKS_PER_SECOND / 20;
            r.noWarm = countLog("no warm process for job") - noWarmBefore;
        }
        r.loadAfter = ProcMemory.loadAvg();
        return r;
    }

    private static final double TICKS_PER_SECOND = 100.0;

    /** The agent's lines for a job that succeeded (the events file is polled: the server may hear of the end first). */
    private void awaitEvents(String id, NodeAgentServer.JobView v) throws InterruptedException {
        if (v.refused == null && "JS_SUCCESS".equals(v.endStatus)) {
            await(() -> events.enteredAt.containsKey(id) && events.returnedAt.containsKey(id), 10_000, "events of " + id);
        }
    }

    /** CPU ticks of the daemon (with the children it reaped) and of its live descendants. */
    private static long treeTicks(Daemon d) {
        return OthersLoad.ticks(d.pid(), true)
                + d.process.toHandle().descendants().mapToLong(h -> OthersLoad.ticks(h.pid(), true)).sum();
    }

    /** Lines of the daemons' log containing {@code text} (info level and above only when the log level allows). */
    private int countLog(String text) throws IOException {
        Path log = work.resolve("daemon.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return (int) lines.filter(l -> l.contains(text)).count();
        }
    }

    /** Starts a daemon; {@code threshold} null = the default --load-threshold. */
    private Daemon startDaemon(int idle, String threshold) throws Exception {
        long before = server.registeredAt;
        List<String> cmd = new ArrayList<>(List.of("sh", Path.of("bin", "lk-worker").toString(), "start",
                "--url", server.url(), "--api-key", "devkey", "--api-secret", "secret",
                "--agent", agentJar.toString(), "--num-idle-processes", Integer.toString(idle),
                "--health-port", "-1", "--log-format", "json", "--log-level", System.getProperty("bench.logLevel", "warn"),
                "--run-dir", runDir.toString()));
        if (threshold != null) {
            cmd.addAll(List.of("--load-threshold", threshold));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("daemon.log").toFile()));
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("JAVA_OPTS", daemonOpts);
        pb.environment().put("LKW_BENCH_EVENTS", work.resolve("events.log").toString());
        pb.environment().remove("LIVEKIT_URL");
        // measurement only: -Dbench.daemonCds=off starts the daemon without its class-data archive
        pb.environment().put("LKW_DAEMON_CDS", System.getProperty("bench.daemonCds", "on"));
        long t0 = epochNanos();
        Process p = pb.start();
        Daemon d = new Daemon(p, idle);
        await(() -> server.registeredAt != before, 60_000, "worker registration");
        d.registerMs = (server.registeredAt - t0) / 1e6;
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

}
