package io.lkworker.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's LiveKit server: {@code src/test/js/agent-server.mjs}, the official protocol classes
 * on Node's {@code ws} (a server that is not ours, with the real server's socket options), driven
 * over its standard input; its events (JSON lines) are collected here. It measures what a server
 * sees: availability answer times and the arrival of registrations and job statuses.
 */
final class NodeAgentServer implements AutoCloseable {

    /** One job as the server saw it; times are epoch nanos (0 = not yet), durations ms. */
    static final class JobView {
        volatile long assignedAt;
        volatile double answerMs = -1;
        volatile double runningMs = -1;
        volatile long runningAt;
        volatile long endedAt;
        volatile String endStatus;
        volatile String refused;
    }

    private final Process node;
    private final Writer in;
    private final int port;
    final Map<String, JobView> jobs = new ConcurrentHashMap<>();
    /** Every status report: epoch nanos, status, load. */
    final List<Object[]> statuses = new CopyOnWriteArrayList<>();
    private final List<String> offeredOrder = new CopyOnWriteArrayList<>();
    volatile long registeredAt;
    volatile long connectedAt;
    private volatile int listeningPort;

    NodeAgentServer(Path jsDir, double targetLoad, Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jsDir.resolve("node_modules/ws/package.json"))) {
            throw new IllegalStateException("run `npm ci` in " + jsDir + " first (WorkerBenchmark needs ws and"
                    + " livekit-server-sdk from src/test/js/package.json)");
        }
        ProcessBuilder pb = new ProcessBuilder("node", "agent-server.mjs", "--target-load",
                Double.isInfinite(targetLoad) ? "Infinity" : Double.toString(targetLoad))
                .directory(jsDir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("LIVEKIT_API_KEY", "devkey");
        pb.environment().put("LIVEKIT_API_SECRET", "secret");
        node = pb.start();
        in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> read(new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))), "node-agent-server");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (listeningPort == 0) {
            if (System.nanoTime() > deadline || !node.isAlive()) {
                throw new IllegalStateException("agent-server.mjs did not start; see " + log);
            }
            Thread.sleep(5);
        }
        this.port = listeningPort;
    }

    long pid() {
        return node.pid();
    }

    String url() {
        return "ws://127.0.0.1:" + port;
    }

    private void read(BufferedReader r) {
        try {
            for (String line; (line = r.readLine()) != null; ) {
                JsonObject e = JsonParser.parseString(line).getAsJsonObject();
                long t = e.get("t").getAsLong();
                String job = e.has("job") ? e.get("job").getAsString() : null;
                switch (e.get("ev").getAsString()) {
                    case "listening" -> listeningPort = e.get("port").getAsInt();
                    case "connected" -> connectedAt = t;
                    case "registered" -> registeredAt = t;
                    case "status" -> statuses.add(new Object[] {t, e.get("status").getAsString(),
                            e.get("load").getAsDouble()});
                    case "offered" -> offeredOrder.add(job);
                    case "answer" -> view(job).answerMs = e.get("ms").getAsDouble();
                    case "assigned" -> view(job).assignedAt = t;
                    case "refused" -> view(job).refused = e.get("reason").getAsString();
                    case "job" -> {
                        JobView v = view(job);
                        String status = e.get("status").getAsString();
                        if (status.equals("JS_RUNNING")) {
                            v.runningMs = e.get("ms").isJsonNull() ? -1 : e.get("ms").getAsDouble();
                            v.runningAt = t;
                        } else if (status.equals("JS_SUCCESS") || status.equals("JS_FAILED")) {
                            v.endStatus = status;
                            v.endedAt = t;
                        }
                    }
                    default -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("agent-server.mjs events: " + e);
        }
    }

    private JobView view(String job) {
        return jobs.computeIfAbsent(job, k -> new JobView());
    }

    private int offersSent;

    /**
     * Dispatches one job; returns its id once the server has decided (offered or refused). The ids
     * are the server's ({@code AJ_bench000001}, ...), in order.
     */
    synchronized String offer(String room) throws IOException, InterruptedException {
        command("{\"op\":\"offer\",\"room\":\"" + room + "\"}");
        offersSent++;
        String id = String.format("AJ_bench%06d", offersSent);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!offeredOrder.contains(id) && !(jobs.containsKey(id) && jobs.get(id).refused != null)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not take offer " + id);
            }
            Thread.sleep(1);
        }
        return id;
    }

    JobView job(String id) {
        return view(id);
    }

    void command(String json) throws IOException {
        synchronized (in) {
            in.write(json + "\n");
            in.flush();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            command("{\"op\":\"quit\"}");
        } catch (IOException ignored) {
            // gone already
        }
        if (!node.waitFor(5, TimeUnit.SECONDS)) {
            node.destroyForcibly();
        }
    }
}
