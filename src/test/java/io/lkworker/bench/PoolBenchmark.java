package io.lkworker.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.pool.PoolOptions;
import io.lkworker.pool.ProcessPool;
import io.lkworker.pool.agents.TestAgent;
import io.lkworker.worker.AcceptArguments;
import io.lkworker.worker.JobEvents;
import io.lkworker.worker.JobLaunch;
import io.lkworker.worker.JobOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import livekit.LivekitAgent;
import livekit.LivekitModels;
import org.slf4j.LoggerFactory;

/**
 * Process-pool benchmark (not a test). Run:
 * <pre>
 * mvn -q -B test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.PoolBenchmark
 * </pre>
 * Measures (a) assignment → entrypoint entered for 50 sequential jobs on warm children, (b) a burst
 * of 20 jobs, (c) cold start with no warm child, (d) RSS of idle children, the parent and the tree.
 * Writes benchmarks/results-pool.md. With {@code --sweep} it only prints idle-child RSS and
 * start-to-ready time for the current child flags (see ChildLauncher: lkworker.pool.baseJvmFlags).
 */
public final class PoolBenchmark {

    private static final Pattern ENTERED = Pattern.compile("entrypoint entered at (\\d+) job=(\\S+)");
    private static final Pattern READY = Pattern.compile("child ready in (\\d+) ms");

    private final Map<String, Long> enteredNanos = new ConcurrentHashMap<>();
    private final List<Long> readyMillis = Collections.synchronizedList(new ArrayList<>());
    private EventLoop loop;
    private ProcessPool pool;
    private int jobSeq;

    public static void main(String[] args) throws Exception {
        new PoolBenchmark().run(List.of(args).contains("--sweep"));
        System.exit(0);
    }

    private void run(boolean sweep) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.lkworker")).setLevel(Level.DEBUG);
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                String m = e.getFormattedMessage();
                Matcher entered = ENTERED.matcher(m);
                if (entered.find()) {
                    enteredNanos.put(entered.group(2), Long.parseLong(entered.group(1)));
                }
                Matcher ready = READY.matcher(m);
                if (ready.find()) {
                    readyMillis.add(Long.parseLong(ready.group(1)));
                }
            }
        };
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);

        Path work = Files.createTempDirectory("lkw-bench-");
        Path jar = AgentJarFixture.build(work.resolve("agent"), TestAgent.class);
        Path cache = work.resolve("cds");
        loop = new EventLoop(Clock.system()).start("bench-loop");

        if (sweep) {
            sweep(jar, cache);
            return;
        }
        StringBuilder report = new StringBuilder();
        report.append("# Process pool benchmark\n\n")
                .append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                .append(Runtime.version()).append(" (").append(System.getProperty("java.vm.name")).append("), ")
                .append(Instant.now()).append("\n\n")
                .append("Command: `mvn -q -B test-compile && java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.PoolBenchmark`\n\n")
                .append("Times: launch() called on the loop (wall clock) → the agent's first line in its entrypoint "
                        + "(Instant.now() in the child). RSS: VmRSS from /proc/PID/status.\n\n");

        // Warm pool with class-data sharing: the first child trains the archive, later ones use it.
        startPool(PoolOptions.defaults(jar).withIdle(3).withDirs(null, cache).withChildLogLevel("INFO"));
        awaitIdle(3);
        runJob("ok"); // the trainer gets the first job (FIFO) and writes the archive when it exits
        awaitIdle(3);
        runJob("ok");
        awaitIdle(3);
        readyMillis.clear();
        for (int i = 0; i < 3; i++) {  // cycle all three so every idle child started with the archive
            runJob("ok");
            awaitIdle(3);
        }
        boolean archive = Files.list(cache).anyMatch(p -> p.toString().endsWith(".jsa"));

        List<Long> idle = call(pool::idlePids);
        List<Long> rss = new ArrayList<>();
        for (long pid : idle) {
            rss.add(rssKb(pid));
        }
        long parent = rssKb(ProcessHandle.current().pid());
        long tree = parent + rss.stream().mapToLong(Long::longValue).sum();
        report.append("## (d) Memory, 3 idle children (CDS archive in use: ").append(archive).append(")\n\n")
                .append("| process | RSS |\n|---|---|\n");
        for (int i = 0; i < idle.size(); i++) {
            report.append("| idle child ").append(i + 1).append(" | ").append(mb(rss.get(i))).append(" |\n");
        }
        report.append("| parent (benchmark JVM = daemon) | ").append(mb(parent)).append(" |\n")
                .append("| **whole tree** | **").append(mb(tree)).append("** |\n\n")
                .append("Child start → ready (JVM start, connect, load agent, prewarm), with CDS: ")
                .append(stats(new ArrayList<>(readyMillis))).append(" ms\n\n");

        // (a) sequential jobs on warm children, steady state (pool full before each job).
        List<Double> seq = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            awaitIdle(3);
            seq.add(runJob("ok"));
        }
        report.append("## (a) 50 sequential jobs on warm children\n\nassignment → entrypoint entered: ")
                .append(statsMs(seq)).append("\n\n");

        // (b) burst of 20 at once on a pool of 3 warm children.
        awaitIdle(3);
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<JobOutcome>> ends = new ArrayList<>();
        Map<String, Long> launchedAt = new ConcurrentHashMap<>();
        call(() -> {
            for (int i = 0; i < 20; i++) {
                String id = "AJ_burst_" + i;
                ids.add(id);
                CompletableFuture<JobOutcome> end = new CompletableFuture<>();
                ends.add(end);
                launchedAt.put(id, epochNanos());
                pool.launch(launch(id, "ok"), events(end));
            }
            return null;
        });
        CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        List<Double> burst = new ArrayList<>();
        for (String id : ids) {
            burst.add((awaitEntered(id) - launchedAt.get(id)) / 1e6);
        }
        report.append("## (b) burst of 20 jobs at once (3 warm children, the rest started on demand)\n\n")
                .append("assignment → entrypoint entered: ").append(statsMs(burst)).append("\n\n");
        closePool();

        // (c) cold start: no warm child.
        report.append("## (c) cold start (no warm child): launch → entrypoint entered\n\n");
        for (boolean cds : new boolean[] {true, false}) {
            startPool(PoolOptions.defaults(jar).withIdle(0).withDirs(null, cds ? cache : null).withChildLogLevel("INFO"));
            List<Double> cold = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                cold.add(runJob("ok"));
            }
            closePool();
            report.append("* ").append(cds ? "with the CDS archive" : "without CDS (JDK default archive only)")
                    .append(": ").append(statsMs(cold)).append("\n");
        }
        report.append("\n");
        Path out = Path.of("benchmarks", "results-pool.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println(report);
        loop.close();
    }

    private void sweep(Path jar, Path cache) throws Exception {
        startPool(PoolOptions.defaults(jar).withIdle(3).withDirs(null, cache).withChildLogLevel("INFO"));
        awaitIdle(3);
        runJob("ok");
        awaitIdle(3);
        readyMillis.clear();
        for (int i = 0; i < 3; i++) {
            runJob("ok");
            awaitIdle(3);
        }
        List<Double> seq = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            awaitIdle(3);
            seq.add(runJob("ok"));
        }
        Thread.sleep(3000); // let idle children settle (JIT, GC) before sampling: a measurement, not synchronisation
        List<Long> rss = new ArrayList<>();
        for (long pid : call(pool::idlePids)) {
            rss.add(rssKb(pid));
        }
        System.out.println("flags=[" + System.getProperty("lkworker.pool.baseJvmFlags", "<defaults>") + "] idleRSS="
                + rss.stream().map(PoolBenchmark::mb).toList() + " ready=" + stats(new ArrayList<>(readyMillis))
                + "ms warmStart=" + statsMs(seq));
        closePool();
        loop.close();
    }

    private void startPool(PoolOptions options) throws Exception {
        pool = new ProcessPool(loop, options);
        call(() -> {
            pool.start();
            return null;
        });
    }

    private void closePool() throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() -> pool.close("benchmark", () -> closed.complete(null)));
        closed.get(60, TimeUnit.SECONDS);
    }

    private void awaitIdle(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (call(() -> pool.stats().idle()) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pool did not reach " + n + " idle children");
            }
            Thread.sleep(20);
        }
    }

    /** Runs one job to its end; returns assignment → entrypoint entered in ms. */
    private double runJob(String mode) throws Exception {
        String id = "AJ_b" + (++jobSeq);
        CompletableFuture<JobOutcome> end = new CompletableFuture<>();
        long launchedAt = call(() -> {
            long t = epochNanos();
            pool.launch(launch(id, mode), events(end));
            return t;
        });
        JobOutcome outcome = end.get(60, TimeUnit.SECONDS);
        if (!outcome.success()) {
            throw new IllegalStateException("job " + id + " failed: " + outcome.error());
        }
        return (awaitEntered(id) - launchedAt) / 1e6;
    }

    private long awaitEntered(String id) throws InterruptedException {
        for (int i = 0; i < 500 && !enteredNanos.containsKey(id); i++) {
            Thread.sleep(10);
        }
        Long t = enteredNanos.get(id);
        if (t == null) {
            throw new IllegalStateException("no entry line for " + id);
        }
        return t;
    }

    private static JobEvents events(CompletableFuture<JobOutcome> end) {
        return new JobEvents() {
            @Override
            public void onRunning(String jobId, long pid) {
            }

            @Override
            public void onEnded(String jobId, JobOutcome outcome) {
                end.complete(outcome);
            }
        };
    }

    private static JobLaunch launch(String id, String metadata) {
        LivekitAgent.Job job = LivekitAgent.Job.newBuilder().setId(id).setMetadata(metadata)
                .setRoom(LivekitModels.Room.newBuilder().setName("bench-room").setSid("RM_bench")).build();
        return new JobLaunch(job, "ws://localhost:7880", "token", "W_bench", new AcceptArguments("agent", "", "", Map.of()));
    }

    private <T> T call(Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String mb(long kb) {
        return String.format("%.1f MB", kb / 1024.0);
    }

    private static String stats(List<Long> values) {
        if (values.isEmpty()) {
            return "n/a";
        }
        Collections.sort(values);
        return "p50 " + values.get(values.size() / 2) + ", max " + values.get(values.size() - 1) + " (n=" + values.size() + ")";
    }

    private static String statsMs(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        double p50 = v.get((int) Math.floor((v.size() - 1) * 0.5));
        double p95 = v.get((int) Math.ceil((v.size() - 1) * 0.95));
        return String.format("p50 %.2f ms, p95 %.2f ms, max %.2f ms (n=%d)", p50, p95, v.get(v.size() - 1), v.size());
    }
}
