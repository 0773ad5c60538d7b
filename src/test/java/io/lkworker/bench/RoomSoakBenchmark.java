package io.lkworker.bench;

import io.lkworker.webrtc.RoomCycle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15 item 2, "no leak per room", measured: {@code --cycles} connect → publish → subscribe →
 * disconnect cycles ({@link RoomCycle}: two of our clients, a tone one way, a data message) in this
 * JVM against the development server in a child JVM, so that each side's resident memory (VmRSS) is
 * its own. Both JVMs run with a fixed, pre-touched heap, so RSS moves only with native memory,
 * metaspace and code. Samples every {@code --every} cycles; the slope is the least-squares fit over
 * the samples after {@code --warmup} cycles (one room per cycle, so the server's slope is per room).
 *
 * <pre>
 * mvn -B -o -q test-compile
 * java -Xms192m -Xmx192m -XX:+AlwaysPreTouch -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) \
 *     io.lkworker.bench.RoomSoakBenchmark [--cycles 500] [--warmup 50] [--every 10]
 * </pre>
 * Writes its section of {@code benchmarks/results-soak.md}.
 */
public final class RoomSoakBenchmark {

    /** The child server's heap: fixed and pre-touched like ours, so its RSS shows native growth only. */
    static final List<String> SERVER_HEAP = List.of("-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch");
    /** A JVM with the server prints its URL within a few seconds; a minute means it is broken. */
    private static final Duration SERVER_START_TIMEOUT = Duration.ofMinutes(1);
    /** The server's last rooms close at once (departure timeout zero) but its threads may lag a little. */
    private static final Duration SERVER_EXIT_TIMEOUT = Duration.ofSeconds(30);

    private RoomSoakBenchmark() {
    }

    record Sample(int cycle, long clientKb, long serverKb, long clientThreads, long serverThreads, double secondsPerCycle) {
    }

    public static void main(String[] args) throws Exception {
        int cycles = intArg(args, "--cycles", 500);
        int warmup = intArg(args, "--warmup", 50);
        int every = intArg(args, "--every", 10);
        quietLogs();
        Process server = startServer();
        try {
            String url = readUrl(server);
            List<Sample> samples = new ArrayList<>();
            long started = System.nanoTime();
            long last = started;
            for (int i = 1; i <= cycles; i++) {
                RoomCycle.run(url, "soak-" + i, room -> { });
                if (i % every == 0 || i == warmup) {
                    System.gc();
                    long now = System.nanoTime();
                    long me = ProcessHandle.current().pid();
                    Sample s = new Sample(i, ProcMemory.rssKb(me), ProcMemory.rssKb(server.pid()),
                            ProcMemory.threads(me), ProcMemory.threads(server.pid()), (now - last) / 1e9 / (i % every == 0 ? every : i % every));
                    last = now;
                    samples.add(s);
                    System.out.printf(Locale.ROOT, "cycle %4d  client %s (%d threads)  server %s (%d threads)  %.2f s/cycle%n", i,
                            ProcMemory.mb(s.clientKb()), s.clientThreads(), ProcMemory.mb(s.serverKb()), s.serverThreads(),
                            s.secondsPerCycle());
                }
            }
            String report = report(samples, cycles, warmup, every, (System.nanoTime() - started) / 1e9);
            System.out.println(report);
            new GeneratedSection("SOAK").write(Path.of("benchmarks/results-soak.md"), report);
        } finally {
            server.getOutputStream().close();
            if (!server.waitFor(SERVER_EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                server.destroy();
            }
        }
        System.exit(0);
    }

    private static Process startServer() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(SERVER_HEAP);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SoakServer.class.getName());
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String readUrl(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("URL ")) {
                        return line.substring(4).trim();
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("the server process ended without a URL");
        });
        String u = url.get(SERVER_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // the server's stdout, discarded (it prints only native noise at exit)
                }
            } catch (java.io.IOException e) {
                // gone
            }
        }, "soak-server-stdout");
        drain.setDaemon(true);
        drain.start();
        return u;
    }

    /** Least-squares slope of {@code y} over {@code x}. */
    static double slope(List<Sample> s, java.util.function.ToLongFunction<Sample> y) {
        int n = s.size();
        double mx = s.stream().mapToDouble(Sample::cycle).average().orElse(0);
        double my = s.stream().mapToDouble(y::applyAsLong).average().orElse(0);
        double num = 0;
        double den = 0;
        for (Sample p : s) {
            num += (p.cycle() - mx) * (y.applyAsLong(p) - my);
            den += (p.cycle() - mx) * (p.cycle() - mx);
        }
        return n < 2 || den == 0 ? Double.NaN : num / den;
    }

    static String report(List<Sample> samples, int cycles, int warmup, int every, double seconds) {
        List<Sample> after = samples.stream().filter(s -> s.cycle() >= warmup).toList();
        Sample first = after.get(0);
        Sample lastSample = after.get(after.size() - 1);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Run %s: %d cycles in %.0f s (%.2f s each), warm-up %d, sample every %d; JDK %s, %d cores.%n%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), cycles, seconds, seconds / cycles, warmup, every,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        b.append("| process | VmRSS after warm-up (cycle ").append(first.cycle()).append(") | VmRSS at the end (cycle ")
                .append(lastSample.cycle()).append(") | slope after warm-up (least squares) |\n| --- | --- | --- | --- |\n");
        b.append(String.format(Locale.ROOT, "| client (this JVM) | %s | %s | %.1f KB per cycle |%n",
                ProcMemory.mb(first.clientKb()), ProcMemory.mb(lastSample.clientKb()), slope(after, Sample::clientKb)));
        b.append(String.format(Locale.ROOT, "| dev server (child JVM) | %s | %s | %.1f KB per room |%n%n",
                ProcMemory.mb(first.serverKb()), ProcMemory.mb(lastSample.serverKb()), slope(after, Sample::serverKb)));
        b.append("Client-side native releases of closed connections' objects (NativeRelease): ")
                .append(io.lkworker.webrtc.NativeRelease.counts()).append(".\n\n");
        b.append(String.format(Locale.ROOT, "Threads (Java and native) after warm-up / at the end: client %d / %d, server %d / %d.%n%n",
                first.clientThreads(), lastSample.clientThreads(), first.serverThreads(), lastSample.serverThreads()));
        b.append("<details><summary>samples (cycle: client, server VmRSS in MB)</summary>\n\n");
        for (Sample s : samples) {
            b.append(String.format(Locale.ROOT, "%d: %.1f, %.1f; ", s.cycle(), s.clientKb() / 1024.0, s.serverKb() / 1024.0));
        }
        b.append("\n\n</details>");
        return b.toString();
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    static void quietLogs() {
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
                if (logger.getLevel() != null) {
                    logger.setLevel(ch.qos.logback.classic.Level.WARN);
                }
            }
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
