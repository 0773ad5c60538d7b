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
 *     [--rooms 20] [--pause-ms 2000] [--modes stream,quiet] [--builds DIR,DIR] [--label TEXT] [--out FILE] [--java-home DIR]
 * </pre>
 * {@code --builds}: project directories whose {@code bin/lk-worker} to run (default {@code .}); with two, each room
 * index runs once on each, in ABBA order, so that a loaded, shared machine's swings hit both alike.
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

    private static final String[] FIGURES = {"connect", "join", "audio", "callAudio", "entered", "agentConnect", "agentPublished",
        "agentSubscribed", "agentTrack", "agentHeard"};

    public static void main(String[] args) throws Exception {
        int rooms = 20;
        long pauseMs = 2000;
        List<String> modes = List.of("stream", "quiet");
        String label = "";
        List<Path> builds = List.of(Path.of("."));
        String javaHome = System.getProperty("java.home");
        String out = Path.of("benchmarks", "results-rooms.md").toString();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rooms" -> rooms = Integer.parseInt(args[i + 1]);
                case "--pause-ms" -> pauseMs = Long.parseLong(args[i + 1]);
                case "--modes" -> modes = Arrays.stream(args[i + 1].split(",")).map(String::trim).toList();
                case "--label" -> label = args[i + 1];
                case "--builds" -> builds = Arrays.stream(args[i + 1].split(",")).map(String::trim).map(Path::of).toList();
                case "--java-home" -> javaHome = args[i + 1];
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (known: --rooms --pause-ms --modes --builds --label --out --java-home)");
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
                .append("Times in ms from the caller's `Room.connect` resolving (connect: from calling it). **join**: the ")
                .append("agent's ParticipantConnected at the caller; **audio**: the caller's first non-silent 10 ms frame of ")
                .append("the agent's echo; **callAudio**: the same from calling `Room.connect` (a server that sends ")
                .append("`fast_publish` makes the caller connect its publisher before `connect` resolves). entered, agentConnect, agentPublished: the agent's entrypoint, `ctx.connect()` ")
                .append("returned, its `publishTrack` returned; agentSubscribed: its onTrackSubscribed of the caller's tone ")
                .append("(only when that came after its listener was added); agentTrack: the caller's TrackSubscribed of ")
                .append("the echo track; agentHeard: the agent's first loud frame (agent's clock).\n\n")
                .append("| mode | build | figure | p50 | p95 | min | max | n |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<Build> started = new ArrayList<>();
        try {
            for (int b = 0; b < builds.size(); b++) {
                started.add(Build.start(builds.get(b), javaHome, jar, work.resolve("build-" + b)));
            }
            for (Build b : started) {
                b.warmUp();
            }
            for (String mode : modes) {
                boolean quiet = mode.equals("quiet");
                String loadBefore = ProcMemory.loadAvg();
                for (Build b : started) {
                    b.reset();
                }
                for (int i = 0; i < rooms; i++) {
                    // Side by side: ABBA order, so neither build always runs first after a pause.
                    List<Build> order = new ArrayList<>(started);
                    if (i % 2 == 1) {
                        java.util.Collections.reverse(order);
                    }
                    for (Build b : order) {
                        if (quiet) {
                            Thread.sleep(pauseMs); // the quiet case's pacing, not synchronisation
                        }
                        JsonObject r = b.caller.room(b.dev, mode);
                        System.out.println(mode + " " + b.name + " room " + (i + 1) + ": " + summary(r));
                        System.out.println("  raw " + r);
                        b.record(r);
                    }
                }
                String load = "load average " + loadBefore + " before, " + ProcMemory.loadAvg() + " after";
                for (Build b : started) {
                    System.out.println(mode + " " + b.name + ": " + load + (b.failed > 0 ? ", " + b.failed + " failed" : ""));
                    for (Map.Entry<String, List<Double>> e : b.figures.entrySet()) {
                        String row = row(mode, b.name, e.getKey(), e.getValue());
                        System.out.print(row);
                        report.append(row);
                    }
                    report.append("| ").append(mode).append(" | ").append(b.name).append(" | ").append(load)
                            .append(b.failed > 0 ? ", " + b.failed + " rooms failed" : "").append(" | | | | | |\n");
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        } finally {
            for (Build b : started) {
                b.close();
            }
        }
        if (status == 0 && !out.equals("NONE")) {
            new GeneratedSection("RoomJoinBenchmark").write(Path.of(out), report.toString());
        }
        System.exit(status);
    }

    /** One build's dev daemon and its caller, and what its rooms measured. */
    private static final class Build implements AutoCloseable {
        final String name;
        final RoomBenchmark.Dev dev;
        final Caller caller;
        final Map<String, List<Double>> figures = new LinkedHashMap<>();
        int failed;

        private Build(String name, RoomBenchmark.Dev dev, Caller caller) {
            this.name = name;
            this.dev = dev;
            this.caller = caller;
        }

        static Build start(Path home, String javaHome, Path jar, Path dir) throws Exception {
            RoomBenchmark.Dev dev = RoomBenchmark.Dev.start(javaHome, jar, dir.resolve("run"), dir.resolve("dev.log"),
                    home.resolve("bin").resolve("lk-worker"));
            try {
                Path name = home.toAbsolutePath().normalize().getFileName();
                return new Build(name == null ? home.toString() : name.toString(), dev,
                        Caller.start(dev.url(), dir.resolve("caller.log")));
            } catch (IOException | RuntimeException e) {
                dev.close();
                throw e;
            }
        }

        /** Rooms until the children's class-data archive exists, then one more. */
        void warmUp() throws Exception {
            dev.awaitPool();
            for (int i = 0; i < 6 && !RoomBenchmark.archiveExists(dev.runDir); i++) {
                System.out.println("warm-up " + name + ": " + caller.room(dev, "warm"));
                dev.awaitPool();
            }
            System.out.println("warm-up " + name + ": " + caller.room(dev, "warm"));
            dev.awaitPool();
        }

        void reset() {
            figures.clear();
            for (String f : FIGURES) {
                figures.put(f, new ArrayList<>());
            }
            failed = 0;
        }

        void record(JsonObject r) {
            if (!r.get("error").isJsonNull() || r.get("firstAudio").isJsonNull()) {
                failed++;
                return;
            }
            double connected = r.get("connected").getAsDouble();
            figures.get("connect").add(connected - r.get("called").getAsDouble());
            figures.get("join").add(r.get("agentJoined").getAsDouble() - connected);
            figures.get("audio").add(r.get("firstAudio").getAsDouble() - connected);
            figures.get("callAudio").add(r.get("firstAudio").getAsDouble() - r.get("called").getAsDouble());
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

        @Override
        public void close() {
            caller.close();
            dev.close();
        }
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

    private static String row(String mode, String build, String figure, List<Double> values) {
        if (values.isEmpty()) {
            return "| " + mode + " | " + build + " | " + figure + " | | | | | 0 |\n";
        }
        List<Double> s = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %d |%n", mode, build, figure,
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
