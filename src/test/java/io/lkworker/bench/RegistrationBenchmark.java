package io.lkworker.bench;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * Registration as the server sees it: spawn {@code lk-worker start} (a launcher script, default options
 * but no warm processes and no health port) → the first binary frame on the agent WebSocket (the register
 * request), over several starts; also the daemon's CPU time at that moment. The server answers the
 * register (official message classes), so the daemon's class-data archive / AOT cache is trained after
 * the first start (that start is reported apart and left out of the medians).
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) \
 *     io.lkworker.bench.RegistrationBenchmark --launcher target/lk-worker-VERSION/lk-worker/bin/lk-worker \
 *     --agent examples/hello-agent/target/hello-agent.jar [--java-home DIR] [--runs 10] [--cache DIR]</pre>
 *
 * Each start is stopped (SIGTERM) once its register has arrived and the daemon's archive exists.
 */
public final class RegistrationBenchmark {

    public static void main(String[] args) throws Exception {
        String launcher = null;
        String agent = null;
        String javaHome = System.getProperty("java.home");
        int runs = 10;
        Path cache = Files.createTempDirectory("lkw-regbench-cache-");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--launcher" -> launcher = args[i + 1];
                case "--agent" -> agent = args[i + 1];
                case "--java-home" -> javaHome = args[i + 1];
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--cache" -> cache = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (launcher == null || agent == null) {
            throw new IllegalArgumentException("--launcher and --agent are required");
        }
        BlockingQueue<Long> registers = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        WebSocketServer server = new WebSocketServer(new InetSocketAddress("127.0.0.1", 0)) {
            @Override public void onOpen(WebSocket c, ClientHandshake h) { }
            @Override public void onClose(WebSocket c, int code, String reason, boolean remote) { }
            @Override public void onMessage(WebSocket c, String m) { }
            @Override public void onError(WebSocket c, Exception e) { }
            @Override public void onStart() { started.countDown(); }

            @Override
            public void onMessage(WebSocket c, ByteBuffer m) {
                long now = System.nanoTime();
                try {
                    if (LivekitAgent.WorkerMessage.parseFrom(m).hasRegister()) {
                        registers.add(now);
                        c.send(LivekitAgent.ServerMessage.newBuilder().setRegister(
                                LivekitAgent.RegisterWorkerResponse.newBuilder().setWorkerId("AW_bench")).build().toByteArray());
                    }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    c.close();
                }
            }
        };
        server.setReuseAddr(true);
        server.start();
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the WebSocket server did not start");
        }
        try {
            run(server, registers, launcher, agent, javaHome, runs, cache);
        } finally {
            server.stop(1000);
        }
    }

    private static void run(WebSocketServer server, BlockingQueue<Long> registers, String launcher, String agent,
                            String javaHome, int runs, Path cache) throws Exception {
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        Path log = Files.createTempFile("lkw-regbench-", ".log");
        for (int run = 0; run <= runs; run++) {
            ProcessBuilder pb = new ProcessBuilder("sh", launcher, "start", "--url", "ws://127.0.0.1:" + server.getPort(),
                    "--api-key", "bench", "--agent", agent, "--health-port", "-1", "--num-idle-processes", "0",
                    "--log-level", "warn").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("LIVEKIT_API_SECRET", "benchmark-secret-benchmark-secret");
            pb.environment().put("JAVA_HOME", javaHome);
            pb.environment().put("XDG_CACHE_HOME", cache.toString());
            pb.environment().remove("CACHE_DIRECTORY");
            pb.environment().remove("JAVA_OPTS");
            long t0 = System.nanoTime();
            Process p = pb.start();
            Long at = registers.poll(60, TimeUnit.SECONDS);
            if (at == null) {
                p.destroyForcibly();
                throw new IllegalStateException("no register request within 60 s; see " + log);
            }
            double ms = (at - t0) / 1e6;
            double cpuMs = OthersLoad.ticks(p.pid(), false) * 10.0;
            if (run == 0) {
                awaitArchive(cache.resolve("lk-worker"));
                System.out.printf(Locale.ROOT, "first start (no archive): %.0f ms, %.0f ms CPU%n", ms, cpuMs);
            } else {
                wall.add(ms);
                cpu.add(cpuMs);
            }
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        System.out.printf(Locale.ROOT, "java.home %s, %d starts with the archive: spawn → register p50 %.0f ms "
                        + "(min %.0f, max %.0f); daemon CPU at register p50 %.0f ms; load average %s%n",
                javaHome, runs, Report.pct(wall, 50), min(wall), max(wall), Report.pct(cpu, 50),
                Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private static void awaitArchive(Path dir) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until) {
            File[] done = dir.toFile().listFiles((d, n) -> n.startsWith("daemon-") && (n.endsWith(".jsa") || n.endsWith(".aot")));
            if (done != null && done.length > 0) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling a directory for a file another process writes
        }
        throw new IllegalStateException("the daemon's archive was not written within 120 s in " + dir);
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
