package io.lkworker.bench;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RpcInvocationData;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * LiveKit RPC round trips between two of our room clients through the embedded dev server (not a test).
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RpcBenchmark [--calls 1000] [--out FILE]
 * </pre>
 * A caller and a callee ({@link RtcRoom}s on loopback, WebRTC data channels through the server); the callee
 * registers {@code echo} (answers its payload). After 100 warm-up calls, {@code --calls} sequential calls
 * per payload size (16 B, 1 KiB, 15 KiB = the v1 limit) are timed from {@code performRpc} to its return:
 * request → server → callee (ack sent first, then the handler on the RPC pool, then the response) → server →
 * caller. Then 8 caller threads make {@code --calls} calls in all, for throughput. Prints a Markdown table
 * (and appends it to {@code --out}).
 */
public final class RpcBenchmark {

    public static void main(String[] args) throws Exception {
        int calls = 1000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String loadBefore = loadAverage();
        StringBuilder md = new StringBuilder();
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start()) {
            RtcRoom caller = join(server, "caller");
            RtcRoom callee = join(server, "callee");
            try {
                callee.localParticipant().registerRpcMethod("echo", RpcInvocationData::payload);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!caller.remoteParticipants().containsKey("callee")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the callee never appeared");
                    }
                    Thread.sleep(20);
                }
                for (int i = 0; i < 100; i++) {
                    caller.localParticipant().performRpc("callee", "echo", "warm-up " + i);
                }
                md.append("## RPC round trips, Java ↔ Java through the embedded server (RpcBenchmark)\n\n")
                        .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", ")
                        .append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                        .append(System.getProperty("java.version")).append(", ").append(calls)
                        .append(" calls per row; load average before `").append(loadBefore).append("`\n\n")
                        .append("Command: `java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) "
                                + "io.lkworker.bench.RpcBenchmark --calls ").append(calls).append("`\n\n")
                        .append("| calls | payload (each way) | p50 | p95 | p99 | max | calls/s |\n|---|---|---|---|---|---|---|\n");
                for (int size : new int[] {16, 1024, 15360}) {
                    String payload = "x".repeat(size);
                    List<Double> ms = new ArrayList<>(calls);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        long s = System.nanoTime();
                        caller.localParticipant().performRpc("callee", "echo", payload);
                        ms.add((System.nanoTime() - s) / 1e6);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    md.append(row("sequential", size, ms, calls / seconds));
                }
                int threads = 8;
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    List<Future<List<Double>>> parts = new ArrayList<>();
                    int each = Math.max(1, calls / threads);
                    long t0 = System.nanoTime();
                    for (int t = 0; t < threads; t++) {
                        parts.add(pool.submit(() -> {
                            List<Double> ms = new ArrayList<>(each);
                            for (int i = 0; i < each; i++) {
                                long s = System.nanoTime();
                                caller.localParticipant().performRpc("callee", "echo", "x".repeat(16));
                                ms.add((System.nanoTime() - s) / 1e6);
                            }
                            return ms;
                        }));
                    }
                    List<Double> all = new ArrayList<>();
                    for (Future<List<Double>> f : parts) {
                        all.addAll(f.get());
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    md.append(row(threads + " callers at once", 16, all, all.size() / seconds));
                } finally {
                    pool.shutdownNow();
                }
                md.append("\nLoad average after `").append(loadAverage()).append("`\n");
            } finally {
                caller.disconnect();
                callee.disconnect();
            }
        }
        System.out.println(md);
        if (out != null) {
            Files.writeString(out, md + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        System.exit(0);
    }

    private static String row(String what, int size, List<Double> ms, double perSecond) {
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        return String.format(Locale.ROOT, "| %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.0f |%n", what,
                size >= 1024 ? (size / 1024) + " KiB" : size + " B", pct(s, 0.50), pct(s, 0.95), pct(s, 0.99),
                s.get(s.size() - 1), perSecond);
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.get((int) Math.floor(p * (sorted.size() - 1)));
    }

    private static RtcRoom join(LocalLiveKitServer server, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET,
                "rpc-bench", identity, identity, System.currentTimeMillis(), Duration.ofMinutes(30));
        return RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
