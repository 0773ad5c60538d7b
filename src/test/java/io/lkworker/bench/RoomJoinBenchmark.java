package io.lkworker.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.bench.roomagent.EchoBenchAgent;
import io.lkworker.pool.AgentJarFixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a caller sees of an agent's join, with LiveKit's own Rust-based Node client ({@code @livekit/rtc-node},
 * {@code src/test/js/rtc-node-join.mjs}) as the caller, against the real {@code lk-worker dev} (not a test).
 * Run from the project directory:
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RoomJoinBenchmark
 *     [--rooms 20] [--pause-ms 2000] [--modes stream,quiet] [--label TEXT] [--out FILE] [--java-home DIR]
 * </pre>
 * Starts {@code sh bin/lk-worker dev --agent <echo bench agent jar> ...} like {@link RoomBenchmark} (log level:
 * {@code -Dbench.logLevel}, default warn), warms it up until the children's class-data archive exists, then runs
 * {@code --rooms} fresh rooms one after another with one caller each, twice: "stream" (the next caller connects as
 * soon as the previous one hung up and its room was deleted, without waiting for the pool) and "quiet" (a
 * {@code --pause-ms} pause before each room). Per room, from the caller's side: {@code Room.connect} resolved →
 * the agent's {@code ParticipantConnected} (0 when the agent was already in the room at connect), and → the first
 * non-silent 10 ms frame of the agent's echo of the caller's 440 Hz tone; the agent's own times (reported on data
 * topic {@code bench} by {@link EchoBenchAgent}) split the join. All times are wall clocks of one machine.
 * Results replace the marked section of benchmarks/results-rooms.md ({@code --out NONE}: print only).
 */
public final class RoomJoinBenchmark {

    private static final String[] FIGURES = {"connect", "join", "audio", "entered", "agentConnect", "agentPublished",
        "agentSubscribed", "agentTrack", "agentHeard"};

    public static void main(String[] args) throws Exception {
        int rooms = 20;
        long pauseMs = 2000;
        List<String> modes = List.of("stream", "quiet");
        String label = "";
        String javaHome = System.getProperty("java.home");
        String out = Path.of("benchmarks", "results-rooms.md").toString();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rooms" -> rooms = Integer.parseInt(args[i + 1]);
                case "--pause-ms" -> pauseMs = Long.parseLong(args[i + 1]);
                case "--modes" -> modes = Arrays.stream(args[i + 1].split(",")).map(String::trim).toList();
                case "--label" -> label = args[i + 1];
                case "--java-home" -> javaHome = args[i + 1];
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --rooms --pause-ms --modes --label --out --java-home)");
            }
        }
        int status = 0;
        Path work = Files.createTempDirectory("lkw-joinbench-");
        System.out.println("work directory (logs): " + work);
        Path jar = AgentJarFixture.build(work.resolve("echo-agent"), EchoBenchAgent.class);
        StringBuilder report = new StringBuilder();
        report.append("## Room join as a caller sees it (RoomJoinBenchmark)\n\n")
                .append("`java ... io.lkworker.bench.RoomJoinBenchmark ").append(String.join(" ", args)).append("`")
                .append(label.isEmpty() ? "" : " — " + label).append("; caller: @livekit/rtc-node (Node ")
                .append(nodeVersion()).append("), agent: EchoBenchAgent, log level ")
                .append(System.getProperty("bench.logLevel", "warn")).append(", JDK ")
                .append(System.getProperty("java.specification.version")).append(".\n\n")
                .append("Times in ms from the caller's `Room.connect` resolving (connect: from calling it). entered, ")
                .append("agent connect, agent published: the agent's entrypoint, `ctx.connect()` returned, its track ")
                .append("published; agent track: the caller's TrackSubscribed of the echo track; agent subscribed: the agent's onTrackSubscribed of the caller's tone; agent heard: its first frame of the tone (the agent's clock).\n\n")
                .append("| mode | figure | p50 | p95 | min | max | n |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        try (RoomBenchmark.Dev dev = RoomBenchmark.Dev.start(javaHome, jar, work.resolve("run"), work.resolve("dev.log"));
             Caller caller = Caller.start(dev.url(), work.resolve("caller.log"))) {
            dev.awaitPool();
            for (int i = 0; i < 6 && !RoomBenchmark.archiveExists(dev.runDir); i++) {
                System.out.println("warm-up: " + caller.room(dev, "warm"));
                dev.awaitPool();
            }
            System.out.println("warm-up: " + caller.room(dev, "warm"));
            dev.awaitPool();
            for (String mode : modes) {
                boolean quiet = mode.equals("quiet");
                String loadBefore = ProcMemory.loadAvg();
                Map<String, List<Double>> figures = new LinkedHashMap<>();
                for (String f : FIGURES) {
                    figures.put(f, new ArrayList<>());
                }
                int failed = 0;
                for (int i = 0; i < rooms; i++) {
                    if (quiet) {
                        Thread.sleep(pauseMs); // the quiet case's pacing, not synchronisation
                    }
                    JsonObject r = caller.room(dev, mode);
                    System.out.println(mode + " room " + (i + 1) + ": " + summary(r));
                    System.out.println("  raw " + r);
                    if (!r.get("error").isJsonNull() || r.get("firstAudio").isJsonNull()) {
                        failed++;
                        continue;
                    }
                    double connected = r.get("connected").getAsDouble();
                    figures.get("connect").add(connected - r.get("called").getAsDouble());
                    figures.get("join").add(r.get("agentJoined").getAsDouble() - connected);
                    figures.get("audio").add(r.get("firstAudio").getAsDouble() - connected);
                    figures.get("agentTrack").add(r.get("agentTrack").getAsDouble() - connected);
                    for (String key : List.of("agentHeard", "agentSubscribed")) {
                        if (r.has(key) && !r.get(key).isJsonNull()) {
                            figures.get(key).add(r.get(key).getAsDouble() - connected);
                        }
                    }
                    if (r.has("bench") && !r.get("bench").isJsonNull()) {
                        String[] f = r.get("bench").getAsString().split(" ");
                        figures.get("entered").add(Long.parseLong(f[3]) / 1e6 - connected);
                        figures.get("agentConnect").add(Long.parseLong(f[5]) / 1e6 - connected);
                        figures.get("agentPublished").add(Long.parseLong(f[6]) / 1e6 - connected);
                    }
                }
                String load = "load average " + loadBefore + " before, " + ProcMemory.loadAvg() + " after";
                System.out.println(mode + ": " + load + (failed > 0 ? ", " + failed + " failed" : ""));
                for (Map.Entry<String, List<Double>> e : figures.entrySet()) {
                    String row = row(mode, e.getKey(), e.getValue());
                    System.out.print(row);
                    report.append(row);
                }
                report.append("| ").append(mode).append(" | ").append(load)
                        .append(failed > 0 ? ", " + failed + " rooms failed" : "").append(" | | | | | |\n");
            }
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        if (status == 0 && !out.equals("NONE")) {
            new GeneratedSection("RoomJoinBenchmark").write(Path.of(out), report.toString());
        }
        System.exit(status);
    }

    private static String summary(JsonObject r) {
        if (r.get("connected").isJsonNull()) {
            return "error " + r.get("error");
        }
        double c = r.get("connected").getAsDouble();
        return String.format(Locale.ROOT, "connect %.0f, join %s, agent track %s, first audio %s%s%s",
                c - r.get("called").getAsDouble(), rel(r, "agentJoined", c), rel(r, "agentTrack", c), rel(r, "firstAudio", c),
                r.get("agentPresentAtConnect").getAsBoolean() ? " (agent present at connect)" : "",
                r.get("error").isJsonNull() ? "" : ", error " + r.get("error"));
    }

    private static String rel(JsonObject r, String key, double from) {
        JsonElement v = r.get(key);
        return v == null || v.isJsonNull() ? "-" : String.format(Locale.ROOT, "%.0f", v.getAsDouble() - from);
    }

    private static String row(String mode, String figure, List<Double> values) {
        if (values.isEmpty()) {
            return "| " + mode + " | " + figure + " | | | | | 0 |\n";
        }
        List<Double> s = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %d |%n", mode, figure,
                pct(s, 50), pct(s, 95), s.get(0), s.get(s.size() - 1), s.size());
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return v;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** The rtc-node caller: one long-lived node process, one room per token written to its stdin. */
    static final class Caller implements AutoCloseable {
        private final Process process;
        private final BufferedReader lines;
        private final Writer in;
        private int seq;

        private Caller(Process process) {
            this.process = process;
            this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Caller start(String url, Path stderr) throws IOException {
            Process p = new ProcessBuilder("node", Path.of("src", "test", "js", "rtc-node-join.mjs").toString(), url)
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
            Caller c = new Caller(p);
            String first = c.lines.readLine();
            if (!"READY {}".equals(first)) {
                c.close();
                throw new IllegalStateException("rtc-node-join.mjs did not start (said " + first + "); see " + stderr);
            }
            return c;
        }

        /** One fresh room: the caller joins, hears the echo, hangs up; then the room is deleted. */
        JsonObject room(RoomBenchmark.Dev dev, String kind) throws IOException {
            String name = "join-" + kind + "-" + (++seq) + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
            // The token goes over stdin: secrets never reach a command line.
            in.write(RoomBenchmark.participantToken(name, "caller", false) + "\n");
            in.flush();
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("JOIN ")) {
                        return JsonParser.parseString(line.substring(5)).getAsJsonObject();
                    }
                }
                throw new IllegalStateException("rtc-node-join.mjs exited");
            } finally {
                dev.deleteRoom(name);
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // exiting anyway
            }
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
