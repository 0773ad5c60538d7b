package io.lkworker.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSink;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.bench.agent.BenchAgent;
import io.lkworker.bench.roomagent.EchoBenchAgent;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.ToneGenerator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;
import livekit.LivekitRoom.CreateRoomRequest;
import livekit.LivekitRoom.DeleteRoomRequest;

/**
 * Room benchmark of the real {@code lk-worker dev} (not a test). Run from the project directory:
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RoomBenchmark [--rounds 2]
 *     [--jobs 20] [--bursts 3] [--oneway-rooms 7] [--cpu-seconds 10] [--cpu-rooms 1,2,4] [--java-home DIR] [--out FILE]
 * </pre>
 * Each round runs {@code sh bin/lk-worker dev --agent <echo bench agent jar> --dev-server-port <free>
 * --health-port <free> --log-level warn --run-dir <fresh dir>} as a subprocess (embedded server and worker in
 * one JVM, the jobs in child JVMs: each measurable per process), and participants are {@link RtcRoom}
 * clients in this JVM, on loopback. The worker registers without an agent name, so every new room gets
 * the agent. Per round:
 * <ol>
 * <li>dev daemon idle (no room yet): RSS/PSS and CPU;</li>
 * <li>warm-up rooms until the children's class-data archive exists (the first is reported on its own);</li>
 * <li>{@code --jobs} rooms one after another, one participant each: the agent's {@code ctx.connect()}
 *     (reported by the agent on data topic {@code bench}), the participant's own connect, participant joined
 *     → agent's track subscribed; then, once the pool has refilled, {@code --bursts} tone bursts (400 ms of
 *     440 Hz, 1 s of silence) whose echo onsets are timed at the participant's sink, and the agent's own
 *     onset times split each echo into its two halves;</li>
 * <li>the idle warm child of the echo agent (WebRTC library preloaded), and the daemon again (engine created);</li>
 * <li>{@code --oneway-rooms} rooms with two participants and no agent: the same bursts, participant → server →
 *     participant;</li>
 * <li>CPU over {@code --cpu-seconds} with 1, 2, 4 echo rooms (continuous tone both ways): daemon, each child,
 *     this JVM; memory of the daemon and the children in rooms;</li>
 * <li>a second dev daemon with {@code BenchAgent} (no rooms): its idle warm child, for comparison.</li>
 * </ol>
 * Results replace the marked section of benchmarks/results-rooms.md.
 *
 * <p>Send time of a burst: the participant's {@link AudioSource} has a 20 ms queue (two 10 ms frames), so
 * {@code captureFrame} of the frame two after the burst's first returns just after the audio pump took
 * that first frame (plus this thread's wake-up): that return is the burst's send time, taken without
 * touching the product. Receive time: {@link Instant#now()} in the participant's audio sink (the
 * playout thread), first 10 ms frame above {@value #SOUND_RMS} RMS (about -40 dBFS) after a quieter one.
 */
public final class RoomBenchmark {

    static final double SOUND_RMS = 330;
    static final int BURST_MS = 400;
    static final int GAP_MS = 1000;
    private static final int QUEUE_FRAMES = 2;
    private static final String KEY = "devkey";
    private static final String SECRET = "secret";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long SETTLE_MILLIS = 500;
    private static final Set<Dev> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Participant> PARTICIPANTS = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long CLK_TCK = clockTicks();

    private final Path work;
    private final Path echoJar;
    private final Path plainJar;
    private final String javaHome;
    private final int jobs;
    private final int bursts;
    private final int onewayRooms;
    private final int cpuSeconds;
    private final List<Integer> cpuRooms;
    /** JAVA_OPTS for the dev daemon (measurement only, e.g. -XX:NativeMemoryTracking=summary). */
    static String daemonOpts = "";
    /** Print the daemon's heap and native memory (jcmd) before the first room and after the connect rooms. */
    static boolean diagnoseMemory;
    private int roomSeq;

    private RoomBenchmark(String javaHome, int jobs, int bursts, int onewayRooms, int cpuSeconds, List<Integer> cpuRooms)
            throws IOException {
        this.javaHome = javaHome;
        this.jobs = jobs;
        this.bursts = bursts;
        this.onewayRooms = onewayRooms;
        this.cpuSeconds = cpuSeconds;
        this.cpuRooms = cpuRooms;
        this.work = Files.createTempDirectory("lkw-roombench-");
        this.echoJar = AgentJarFixture.build(work.resolve("echo-agent"), EchoBenchAgent.class);
        this.plainJar = AgentJarFixture.build(work.resolve("plain-agent"), BenchAgent.class);
    }

    public static void main(String[] args) throws Exception {
        int rounds = 2;
        int jobs = 20;
        int bursts = 3;
        int oneway = 7;
        int cpuSeconds = 10;
        List<Integer> cpuRooms = List.of(1, 2, 4);
        String javaHome = System.getProperty("java.home");
        Path out = Path.of("benchmarks", "results-rooms.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--jobs" -> jobs = Integer.parseInt(args[i + 1]);
                case "--bursts" -> bursts = Integer.parseInt(args[i + 1]);
                case "--oneway-rooms" -> oneway = Integer.parseInt(args[i + 1]);
                case "--cpu-seconds" -> cpuSeconds = Integer.parseInt(args[i + 1]);
                case "--cpu-rooms" -> cpuRooms = Arrays.stream(args[i + 1].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--java-home" -> javaHome = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                case "--daemon-opts" -> daemonOpts = args[i + 1];
                case "--diagnose-memory" -> diagnoseMemory = Boolean.parseBoolean(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        quietLogs();
        Runtime.getRuntime().addShutdownHook(new Thread(RoomBenchmark::cleanUp, "roombench-cleanup"));
        int status = 0;
        try {
            RoomBenchmark bench = new RoomBenchmark(javaHome, jobs, bursts, oneway, cpuSeconds, cpuRooms);
            System.out.println("work directory (logs): " + bench.work);
            List<RoomRound> results = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                RoomRound result = bench.round(r);
                System.out.println("round " + r + ": " + result);
                results.add(result);
            }
            String args0 = String.join(" ", args);
            String report = RoomReport.render(results, javaHome, args0, jobs, bursts, oneway, cpuSeconds, cpuRooms);
            System.out.println(report);
            new GeneratedSection("RoomBenchmark").write(out, report);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        } finally {
            cleanUp();
        }
        // libwebrtc's native threads are attached as non-daemon threads: leave through exit.
        System.exit(status);
    }

    private RoomRound round(int number) throws Exception {
        RoomRound r = new RoomRound();
        Path dir = Files.createDirectories(work.resolve("round-" + number));
        load(r, "start");
        try (Dev dev = Dev.start(javaHome, echoJar, dir.resolve("run-echo"), dir.resolve("dev-echo.log"))) {
            dev.awaitPool();
            Thread.sleep(3000); // settle before sampling: a measurement, not synchronisation
            r.devIdleRssKb = ProcMemory.rssKb(dev.pid());
            r.devIdlePssKb = ProcMemory.pssKb(dev.pid());
            r.devIdleFreshPct = cpuPercent(dev.pid(), cpuSeconds, r, "dev daemon idle, before any room");
            diagnose(dev, "before any room");

            // Warm-up: until the children's class-data archive exists, then one more room, so that the
            // measured children start from it (the first child to exit writes it).
            load(r, "warm-up");
            RoomSample first = echoRoom(dev, bursts);
            r.firstAgentConnectMs = first.agentConnectMs();
            r.firstJoinToTrackMs = first.joinToTrackMs();
            r.firstParticipantConnectMs = ms(first.participantReturned - first.participantCalled);
            System.out.println("first room: " + first);
            for (int i = 0; i < 5 && !archiveExists(dev.runDir); i++) {
                System.out.println("warm-up: " + echoRoom(dev, 0));
            }
            System.out.println("warm-up: " + echoRoom(dev, 0));

            load(r, "connect + echo");
            for (int i = 0; i < jobs; i++) {
                try {
                    RoomSample s = echoRoom(dev, bursts);
                    System.out.println("room " + (i + 1) + ": " + s);
                    r.agentConnectMs.add(s.agentConnectMs());
                    r.participantConnectMs.add(ms(s.participantReturned - s.participantCalled));
                    r.joinToTrackMs.add(s.joinToTrackMs());
                    r.calledToEnteredMs.add(ms(s.agentEntered - s.participantCalled));
                    r.enteredToConnectCalledMs.add(ms(s.agentConnectCalled - s.agentEntered));
                    r.connectToPublishedMs.add(ms(s.agentPublished - s.agentConnectReturned));
                    r.publishedToSubscribedMs.add(ms(s.agentTrackAt - s.agentPublished));
                    r.burstsSent += s.sent;
                    r.burstsLost += s.lost;
                    r.echoMs.addAll(s.delays);
                    if (s.lost == 0) {
                        for (int b = 0; b < s.delays.size(); b++) {
                            while (r.echoByIndexMs.size() <= b) {
                                r.echoByIndexMs.add(new ArrayList<>());
                            }
                            r.echoByIndexMs.get(b).add(s.delays.get(b));
                        }
                    }
                    r.upMs.addAll(s.up);
                    r.downMs.addAll(s.down);
                    r.agentQueueMs.addAll(s.agentQueue);
                    r.devRssAfterRoomKb.add(ProcMemory.rssKb(dev.pid()));
                    r.devThreadsAfterRoom.add(threadCount(dev.pid()));
                } catch (Exception e) {
                    r.connectFailures++;
                    r.notes.add("room " + (i + 1) + " failed: " + e);
                    System.out.println("room " + (i + 1) + " failed: " + e);
                }
            }
            load(r, "after rooms");
            System.out.println("dev daemon RSS (KB) after each connect room: " + r.devRssAfterRoomKb);
            System.out.println("dev daemon threads after each connect room: " + r.devThreadsAfterRoom);
            diagnose(dev, "after the connect rooms");
            r.echoArchive = archiveExists(dev.runDir);
            dev.awaitPool();
            Thread.sleep(3000);
            List<Long> idle = dev.idlePids();
            if (!idle.isEmpty()) {
                r.echoChildRssKb = ProcMemory.rssKb(idle.get(0));
                r.echoChildPssKb = ProcMemory.pssKb(idle.get(0));
            }
            r.devAfterRssKb = ProcMemory.rssKb(dev.pid());
            r.devAfterPssKb = ProcMemory.pssKb(dev.pid());
            long[] idleChild = idle.isEmpty() ? null : ticks(idle.get(0));
            long t0 = System.nanoTime();
            r.devIdleAfterPct = cpuPercent(dev.pid(), cpuSeconds, r, "dev daemon idle, after the rooms");
            if (idleChild != null) {
                r.idleChildPct = percent(idleChild, ticks(idle.get(0)), System.nanoTime() - t0);
            }

            load(r, "one-way");
            for (int i = 0; i < onewayRooms; i++) {
                try {
                    BurstResult b = onewayRoom(dev);
                    System.out.println("one-way room " + (i + 1) + ": " + b.delays + " ms, lost " + b.lost);
                    r.onewayMs.addAll(b.delays);
                    r.onewaySent += b.sent;
                    r.onewayLost += b.lost;
                } catch (Exception e) {
                    r.notes.add("one-way room " + (i + 1) + " failed: " + e);
                    System.out.println("one-way room " + (i + 1) + " failed: " + e);
                }
            }

            try {
                onewayContinuous(dev, r);
            } catch (Exception e) {
                r.notes.add("one-way continuous tone failed: " + e);
            }

            for (int k : cpuRooms) {
                load(r, k + " rooms");
                try {
                    cpuWithRooms(dev, k, r);
                    System.out.println(k + " rooms: dev " + fmt(r.devPct.get(k)) + " %, child " + fmt(r.childPct.get(k))
                            + " %, bench " + fmt(r.benchPct.get(k)) + " %");
                } catch (Exception e) {
                    r.notes.add("CPU with " + k + " rooms failed: " + e);
                    System.out.println("CPU with " + k + " rooms failed: " + e);
                }
            }
        }

        load(r, "plain agent");
        try (Dev dev = Dev.start(javaHome, plainJar, dir.resolve("run-plain"), dir.resolve("dev-plain.log"))) {
            dev.awaitPool();
            for (int i = 0; i < 8 && !archiveExists(dev.runDir); i++) {
                dev.runPlainJob(nextRoom("plain"));
            }
            for (int i = 0; i < 2; i++) {
                dev.runPlainJob(nextRoom("plain"));
            }
            r.plainArchive = archiveExists(dev.runDir);
            dev.awaitPool();
            Thread.sleep(3000);
            List<Long> idle = dev.idlePids();
            if (!idle.isEmpty()) {
                r.plainChildRssKb = ProcMemory.rssKb(idle.get(0));
                r.plainChildPssKb = ProcMemory.pssKb(idle.get(0));
            }
        }
        load(r, "end");
        return r;
    }

    // ---------------------------------------------------------------- rooms

    /** What one echo room measured; times are epoch nanos. */
    static final class RoomSample {
        long participantCalled;
        long participantReturned;
        long agentTrackAt;
        long agentEntered;
        long agentConnectCalled;
        long agentConnectReturned;
        long agentPublished;
        long agentPid;
        /** Experiment only (ROOMBENCH_PREINIT): ms the agent spent initialising before connecting, or -1. */
        long preinitMs = -1;
        int sent;
        int lost;
        List<Double> delays = List.of();
        List<Double> up = List.of();
        List<Double> down = List.of();
        List<Double> agentQueue = List.of();

        double agentConnectMs() {
            return ms(agentConnectReturned - agentConnectCalled);
        }

        double joinToTrackMs() {
            return ms(agentTrackAt - participantReturned);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "participant connect %.0f ms, agent connect %.0f ms, joined→agent track %.0f ms, echo %s ms (lost %d),"
                            + " up %s, down %s, agent queue %s",
                    ms(participantReturned - participantCalled), agentConnectMs(), joinToTrackMs(), rounded(delays), lost,
                    rounded(up), rounded(down), rounded(agentQueue)) + (preinitMs >= 0 ? ", preinit " + preinitMs + " ms" : "");
        }
    }

    record BurstResult(List<Double> delays, int sent, int lost) {
    }

    /**
     * One room, one participant: the agent is dispatched, connects and publishes; then {@code n} bursts.
     * The room is deleted at the end, and its job's process has exited when this returns.
     */
    private RoomSample echoRoom(Dev dev, int n) throws Exception {
        dev.awaitPool();
        Thread.sleep(SETTLE_MILLIS);
        String name = nextRoom("echo");
        RoomSample s = new RoomSample();
        Participant p = null;
        try {
            p = Participant.join(dev.url(), participantToken(name, "caller", false), from -> from.kind() == ParticipantKind.AGENT);
            s.participantCalled = p.connectCalled;
            s.participantReturned = p.connectReturned;
            p.publishMicrophone();
            String line = p.agentConnect.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            p.listened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            String[] f = line.split(" ");
            s.agentPid = Long.parseLong(f[2]);
            s.agentEntered = Long.parseLong(f[3]);
            s.agentConnectCalled = Long.parseLong(f[4]);
            s.agentConnectReturned = Long.parseLong(f[5]);
            s.agentPublished = Long.parseLong(f[6]);
            s.preinitMs = f.length > 7 ? Long.parseLong(f[7]) : -1;
            s.agentTrackAt = p.trackAt;
            if (n > 0) {
                // steady state: the pool's refill (a JVM start) is over before the bursts
                dev.awaitPool();
                Thread.sleep(1000); // silence first
                BurstResult b = bursts(p, p, n);
                s.sent = b.sent;
                s.lost = b.lost;
                s.delays = b.delays;
                List<Double> up = new ArrayList<>();
                List<Double> down = new ArrayList<>();
                List<Double> queue = new ArrayList<>();
                List<Long> sent = p.sender.sentAt();
                long[][] echoes = p.heard.onsets(sent);
                List<long[]> agent = p.agentOnsets();
                for (int i = 0; i < sent.size(); i++) {
                    long start = sent.get(i);
                    Optional<long[]> heardByAgent = agent.stream()
                            .filter(a -> a[0] >= start && a[0] < start + TimeUnit.MILLISECONDS.toNanos(BURST_MS + GAP_MS))
                            .findFirst();
                    if (heardByAgent.isPresent()) {
                        up.add(ms(heardByAgent.get()[0] - start));
                        queue.add(heardByAgent.get()[1] / 1000.0);
                        if (echoes[i] != null) {
                            down.add(ms(echoes[i][0] - heardByAgent.get()[0]));
                        }
                    }
                }
                s.up = up;
                s.down = down;
                s.agentQueue = queue;
            }
        } finally {
            if (p != null) {
                p.close();
            }
            dev.deleteRoom(name);
        }
        awaitExit(s.agentPid);
        return s;
    }

    /** Two participants, no agent: a's bursts as b hears them. */
    private BurstResult onewayRoom(Dev dev) throws Exception {
        String name = nextRoom("oneway");
        Participant a = null;
        Participant b = null;
        try {
            a = Participant.join(dev.url(), participantToken(name, "speaker", true), from -> false);
            b = Participant.join(dev.url(), participantToken(name, "listener", false),
                    from -> from.identity().equals("speaker"));
            a.publishMicrophone();
            b.listened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Thread.sleep(1000);
            return bursts(a, b, bursts);
        } finally {
            leave(dev, name, a, b);
        }
    }

    /** {@code n} bursts from {@code from}'s microphone; onsets as {@code to} hears them. */
    private static BurstResult bursts(Participant from, Participant to, int n) throws InterruptedException {
        int before = from.sender.sentAt().size();
        for (int i = 0; i < n; i++) {
            from.sender.burst(BURST_MS / 10);
            Thread.sleep(BURST_MS + GAP_MS);
        }
        Thread.sleep(500);
        List<Long> sent = from.sender.sentAt().subList(before, from.sender.sentAt().size());
        long[][] onsets = to.heard.onsets(sent);
        List<Double> delays = new ArrayList<>();
        int lost = n - sent.size();
        for (int i = 0; i < sent.size(); i++) {
            if (onsets[i] == null) {
                lost++;
            } else {
                delays.add(ms(onsets[i][0] - sent.get(i)));
            }
        }
        return new BurstResult(delays, n, lost);
    }

    /** {@code k} echo rooms with a continuous tone both ways; CPU of the daemon, the children and this JVM. */
    private void cpuWithRooms(Dev dev, int k, RoomRound r) throws Exception {
        List<Participant> ps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> children = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                dev.awaitPool();
                Thread.sleep(SETTLE_MILLIS);
                String name = nextRoom("cpu" + k);
                names.add(name);
                Participant p = Participant.join(dev.url(), participantToken(name, "caller", false),
                        from -> from.kind() == ParticipantKind.AGENT);
                ps.add(p);
                p.sender.continuous = true;
                p.publishMicrophone();
                String line = p.agentConnect.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                children.add(Long.parseLong(line.split(" ")[2]));
                p.listened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await(() -> p.heard.maxLevelSince(System.nanoTime() - 200_000_000L) > SOUND_RMS, WAIT, "echo in " + name);
            }
            dev.awaitPool();
            Thread.sleep(2000);
            long self = ProcessHandle.current().pid();
            java.util.Map<String, Long> devThreads0 = threadTicks(dev.pid());
            java.util.Map<String, Long> childThreads0 = threadTicks(children.get(0));
            java.util.Map<String, Long> selfThreads0 = threadTicks(self);
            long[] dev0 = ticks(dev.pid());
            long[] self0 = ticks(self);
            List<long[]> kids0 = children.stream().map(RoomBenchmark::ticks).toList();
            long w0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(cpuSeconds));
            long w1 = System.nanoTime();
            long wall = w1 - w0;
            long[] dev1 = ticks(dev.pid());
            long[] self1 = ticks(self);
            List<long[]> kids1 = children.stream().map(RoomBenchmark::ticks).toList();
            r.threads.add("dev daemon, " + k + " room(s): " + busiestThreads(devThreads0, threadTicks(dev.pid()), wall, 6));
            r.threads.add("one child, " + k + " room(s): " + busiestThreads(childThreads0, threadTicks(children.get(0)), wall, 6));
            r.threads.add("benchmark JVM, " + k + " participant(s): " + busiestThreads(selfThreads0, threadTicks(self), wall, 4));
            r.devPct.put(k, percent(dev0, dev1, wall));
            r.benchPct.put(k, percent(self0, self1, wall));
            double sum = 0;
            for (int i = 0; i < children.size(); i++) {
                sum += percent(kids0.get(i), kids1.get(i), wall);
            }
            r.childPct.put(k, sum / children.size());
            int echoing = 0;
            for (Participant p : ps) {
                if (p.heard.maxLevelSince(System.nanoTime() - 300_000_000L) > SOUND_RMS) {
                    echoing++;
                }
            }
            r.echoing.put(k, echoing);
            // Audio quality at the participant: how many 10 ms frames its playout delivered per second (100 if
            // the playout clock keeps time), and how many echo frames fell below half the window's median level
            // (gaps: the echo is a continuous tone, so a dip is audio that went missing on the way).
            double fps = 0;
            double dips = 0;
            for (Participant p : ps) {
                double[] q = quality(p.heard, w0, w1);
                fps += q[0];
                dips += q[1];
            }
            r.playoutFps.put(k, fps / ps.size());
            r.echoDipsPerMinute.put(k, dips / ps.size());
            long maxChildRss = 0;
            long maxChildPss = 0;
            for (long pid : children) {
                maxChildRss = Math.max(maxChildRss, ProcMemory.rssKb(pid));
                maxChildPss = Math.max(maxChildPss, ProcMemory.pssKb(pid));
            }
            r.withRoomsKb.put(k, new long[] {ProcMemory.rssKb(dev.pid()), ProcMemory.pssKb(dev.pid()), maxChildRss, maxChildPss});
            if (k == 1) {
                r.roomChildRssKb = maxChildRss;
                r.roomChildPssKb = maxChildPss;
            }
        } finally {
            for (Participant p : ps) {
                p.close();
            }
            for (String name : names) {
                dev.deleteRoom(name);
            }
            for (long pid : children) {
                awaitExit(pid);
            }
        }
    }

    /** {frames per second heard, frames below half the median level per minute} between two nanoTime instants. */
    private static double[] quality(Heard heard, long w0, long w1) {
        float[] levels = heard.levels(w0, w1);
        float[] sorted = levels.clone();
        Arrays.sort(sorted);
        float median = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        int low = 0;
        for (float l : levels) {
            if (l < median / 2) {
                low++;
            }
        }
        double seconds = (w1 - w0) / 1e9;
        return new double[] {levels.length / seconds, low / (seconds / 60)};
    }

    /**
     * Control for the echo rooms' audio quality: a continuous tone one way, participant → server → participant
     * (no agent), heard for {@code --cpu-seconds}.
     */
    private void onewayContinuous(Dev dev, RoomRound r) throws Exception {
        String name = nextRoom("oneway-tone");
        Participant a = null;
        Participant b = null;
        try {
            a = Participant.join(dev.url(), participantToken(name, "speaker", true), from -> false);
            b = Participant.join(dev.url(), participantToken(name, "listener", false),
                    from -> from.identity().equals("speaker"));
            a.sender.continuous = true;
            a.publishMicrophone();
            b.listened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Participant listener = b;
            await(() -> listener.heard.maxLevelSince(System.nanoTime() - 200_000_000L) > SOUND_RMS, WAIT, "tone in " + name);
            Thread.sleep(2000);
            long w0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(cpuSeconds));
            double[] q = quality(b.heard, w0, System.nanoTime());
            r.onewayToneFps = q[0];
            r.onewayToneDipsPerMinute = q[1];
        } finally {
            leave(dev, name, a, b);
        }
    }

    private String nextRoom(String kind) {
        return "bench-" + kind + "-" + (++roomSeq) + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    // ---------------------------------------------------------------- participants

    /** One of our room clients with a microphone (tone bursts on silence) and a sink on the track it listens to. */
    /** Closes the participants that joined (null: never joined) and deletes their room. */
    private static void leave(Dev dev, String room, Participant... participants) {
        for (Participant p : participants) {
            if (p != null) {
                p.close();
            }
        }
        dev.deleteRoom(room);
    }

    static final class Participant implements AutoCloseable {
        final RtcRoom room;
        final long connectCalled;
        final long connectReturned;
        final CompletableFuture<String> agentConnect = new CompletableFuture<>();
        final CompletableFuture<RemoteAudioTrack> listened = new CompletableFuture<>();
        final Heard heard = new Heard();
        final Sender sender = new Sender();
        private final List<long[]> agentOnsets = Collections.synchronizedList(new ArrayList<>());
        volatile long trackAt;
        private AudioSource microphone;

        private Participant(RtcRoom room, long called, long returned, Predicate<RemoteParticipant> listenTo) {
            this.room = room;
            this.connectCalled = called;
            this.connectReturned = returned;
            room.addListener(new RoomListener() {
                @Override
                public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant from) {
                    if (track instanceof RemoteAudioTrack audio && listenTo.test(from) && !listened.isDone()) {
                        trackAt = epochNanos();
                        audio.addSink(heard);
                        listened.complete(audio);
                    }
                }

                @Override
                public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                    if (!"bench".equals(topic)) {
                        return;
                    }
                    String line = new String(data, StandardCharsets.US_ASCII);
                    if (line.startsWith("connect ")) {
                        if (agentConnect.complete(line)) {
                            CompletableFuture.runAsync(() -> {
                                try {
                                    room.localParticipant().publishData("ack".getBytes(StandardCharsets.US_ASCII),
                                            io.lkworker.api.rtc.DataOptions.defaults().withTopic("bench"));
                                } catch (RuntimeException e) {
                                    System.out.println("ack not sent: " + e);
                                }
                            });
                        }
                    } else if (line.startsWith("onset ")) {
                        String[] f = line.split(" ");
                        agentOnsets.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                    }
                }
            });
        }

        static Participant join(String url, String token, Predicate<RemoteParticipant> listenTo) {
            long called = epochNanos();
            RtcRoom room = RtcRoom.connect(url, token, ConnectOptions.defaults());
            long returned = epochNanos();
            Participant p = new Participant(room, called, returned, listenTo);
            PARTICIPANTS.add(p);
            return p;
        }

        /**
         * Publishes the microphone and starts sending: silence until a burst is asked for (20 ms queue, for the
         * send time of bursts), or a continuous tone if {@code sender.continuous} is set first (200 ms queue, so
         * that this JVM's scheduling never leaves the pump without audio: gaps heard are the path's own).
         */
        void publishMicrophone() {
            microphone = new AudioSource(48000, 1, sender.continuous ? 200 : QUEUE_FRAMES * 10);
            room.localParticipant().publishTrack(LocalAudioTrack.create("microphone", microphone));
            sender.start(microphone);
        }

        List<long[]> agentOnsets() {
            synchronized (agentOnsets) {
                return new ArrayList<>(agentOnsets);
            }
        }

        @Override
        public void close() {
            PARTICIPANTS.remove(this);
            sender.stop();
            if (microphone != null) {
                microphone.close();
            }
            try {
                room.disconnect();
            } catch (RuntimeException e) {
                System.out.println("disconnect: " + e);
            }
        }
    }

    /**
     * Feeds the microphone 10 ms at a time: silence, tone bursts on request, or a continuous tone. With a
     * queue of {@link #QUEUE_FRAMES} frames, {@code captureFrame} returns once the pump has taken the frame
     * {@code QUEUE_FRAMES} before the one just queued: that return is when the burst's first frame was sent.
     */
    static final class Sender {
        final AtomicInteger requested = new AtomicInteger();
        volatile boolean continuous;
        private volatile boolean stopped;
        private final List<Long> sentAt = Collections.synchronizedList(new ArrayList<>());
        private Thread thread;

        void start(AudioSource source) {
            thread = new Thread(() -> run(source), "bench-microphone");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            thread.start();
        }

        private void run(AudioSource source) {
            ToneGenerator tone = new ToneGenerator(440, 48000, 1, 0.3);
            AudioFrame silence = new AudioFrame(new short[480], 48000, 1, 480);
            int remaining = 0;
            int stampIn = 0;
            try {
                while (!stopped) {
                    boolean first = false;
                    AudioFrame frame;
                    if (continuous) {
                        frame = tone.next();
                    } else {
                        if (remaining == 0) {
                            int r = requested.getAndSet(0);
                            if (r > 0) {
                                remaining = r;
                                first = true;
                            }
                        }
                        if (remaining > 0) {
                            remaining--;
                            frame = tone.next();
                        } else {
                            frame = silence;
                        }
                    }
                    source.captureFrame(frame);
                    long now = epochNanos();
                    if (stampIn > 0 && --stampIn == 0) {
                        sentAt.add(now);
                    }
                    if (first) {
                        stampIn = QUEUE_FRAMES;
                    }
                }
            } catch (InterruptedException | IllegalStateException e) {
                // closed
            }
        }

        void burst(int frames) {
            requested.set(frames);
        }

        List<Long> sentAt() {
            synchronized (sentAt) {
                return new ArrayList<>(sentAt);
            }
        }

        void stop() {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** Every heard 10 ms frame's arrival (epoch nanos) and RMS; runs on the playout thread and only records. */
    static final class Heard implements AudioSink {
        private long[] at = new long[4096];
        private long[] mono = new long[4096];
        private float[] level = new float[4096];
        private int n;

        @Override
        public void onFrame(AudioFrame frame) {
            long now = epochNanos();
            long monoNow = System.nanoTime();
            short[] d = frame.data();
            double sum = 0;
            for (short s : d) {
                sum += (double) s * s;
            }
            float rms = (float) Math.sqrt(sum / Math.max(1, d.length));
            synchronized (this) {
                if (n == at.length) {
                    at = Arrays.copyOf(at, n * 2);
                    mono = Arrays.copyOf(mono, n * 2);
                    level = Arrays.copyOf(level, n * 2);
                }
                at[n] = now;
                mono[n] = monoNow;
                level[n] = rms;
                n++;
            }
        }

        /** Levels of the frames heard between two System.nanoTime instants. */
        synchronized float[] levels(long fromNano, long toNano) {
            int from = 0;
            while (from < n && mono[from] < fromNano) {
                from++;
            }
            int to = from;
            while (to < n && mono[to] < toNano) {
                to++;
            }
            return Arrays.copyOfRange(level, from, to);
        }

        /** Loudest frame heard since {@code nanoTime} (System.nanoTime). */
        synchronized double maxLevelSince(long nanoTime) {
            double max = 0;
            for (int i = n - 1; i >= 0 && mono[i] >= nanoTime; i--) {
                max = Math.max(max, level[i]);
            }
            return max;
        }

        /**
         * For each send time, the first rising edge above {@link #SOUND_RMS} at or after it and before the next
         * burst could start: {epoch nanos, index}, or null when none was heard.
         */
        synchronized long[][] onsets(List<Long> sent) {
            long[][] out = new long[sent.size()][];
            long window = TimeUnit.MILLISECONDS.toNanos(BURST_MS + GAP_MS);
            for (int s = 0; s < sent.size(); s++) {
                long start = sent.get(s);
                for (int i = 1; i < n; i++) {
                    if (at[i] >= start && at[i] < start + window && level[i] > SOUND_RMS && level[i - 1] <= SOUND_RMS) {
                        out[s] = new long[] {at[i], i};
                        break;
                    }
                    if (at[i] >= start + window) {
                        break;
                    }
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- the dev daemon

    /** {@code sh bin/lk-worker dev ...} as a subprocess ({@code bin/lk-worker} execs java: the pid is the JVM's). */
    static final class Dev implements AutoCloseable {
        final Process process;
        final int serverPort;
        final int healthPort;
        final Path runDir;
        final Path log;

        private Dev(Process process, int serverPort, int healthPort, Path runDir, Path log) {
            this.process = process;
            this.serverPort = serverPort;
            this.healthPort = healthPort;
            this.runDir = runDir;
            this.log = log;
        }

        static Dev start(String javaHome, Path agentJar, Path runDir, Path log) throws Exception {
            return start(javaHome, agentJar, runDir, log, Path.of("bin", "lk-worker"));
        }

        /** {@code launcher}: the {@code bin/lk-worker} to run (another build's, for side-by-side comparisons). */
        static Dev start(String javaHome, Path agentJar, Path runDir, Path log, Path launcher) throws Exception {
            Files.createDirectories(runDir);
            int serverPort = freePort();
            int healthPort = freePort();
            List<String> cmd = List.of("sh", launcher.toString(), "dev",
                    "--agent", agentJar.toString(), "--dev-server-port", Integer.toString(serverPort),
                    "--health-port", Integer.toString(healthPort), "--log-level", System.getProperty("bench.logLevel", "warn"),
                    "--run-dir", runDir.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("LIVEKIT_") || k.startsWith("LKW_"));
            pb.environment().put("JAVA_HOME", javaHome);
            pb.environment().put("JAVA_OPTS", daemonOpts);
            Dev dev = new Dev(pb.start(), serverPort, healthPort, runDir, log);
            LIVE.add(dev);
            try {
                await(() -> "registered".equals(dev.workerState()), Duration.ofSeconds(60), "worker registration; see " + log);
            } catch (RuntimeException | InterruptedException e) {
                dev.close();
                throw e;
            }
            return dev;
        }

        long pid() {
            return process.pid();
        }

        String url() {
            return "ws://127.0.0.1:" + serverPort;
        }

        JsonObject worker() {
            try {
                HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/worker"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return res.statusCode() == 200 ? JsonParser.parseString(res.body()).getAsJsonObject() : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        String workerState() {
            if (!process.isAlive()) {
                throw new IllegalStateException("lk-worker dev exited with " + process.exitValue() + "; see " + log);
            }
            JsonObject w = worker();
            return w == null ? null : w.get("state").getAsString();
        }

        /** One warm child ready, none starting. */
        void awaitPool() throws InterruptedException {
            await(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("lk-worker dev exited; see " + log);
                }
                JsonObject w = worker();
                return w != null && w.get("idle_processes").getAsInt() >= 1 && w.get("starting_processes").getAsInt() == 0;
            }, Duration.ofSeconds(60), "a warm child; see " + log);
        }

        Set<Long> jobPids() {
            Set<Long> pids = new HashSet<>();
            JsonObject w = worker();
            if (w != null && w.has("jobs")) {
                for (JsonElement e : w.getAsJsonArray("jobs")) {
                    JsonElement pid = e.getAsJsonObject().get("pid");
                    if (pid != null && !pid.isJsonNull()) {
                        pids.add(pid.getAsLong());
                    }
                }
            }
            return pids;
        }

        /** Child JVMs that run no job. */
        List<Long> idlePids() {
            Set<Long> busy = jobPids();
            return process.toHandle().children().map(ProcessHandle::pid).filter(p -> !busy.contains(p)).sorted().toList();
        }

        void deleteRoom(String room) {
            twirp("DeleteRoom", DeleteRoomRequest.newBuilder().setRoom(room).build().toByteArray());
        }

        /** CreateRoom dispatches the (non-room) agent; waits for the job's process to exit. */
        void runPlainJob(String room) throws Exception {
            awaitPool();
            Thread.sleep(SETTLE_MILLIS);
            List<Long> idle = idlePids();
            twirp("CreateRoom", CreateRoomRequest.newBuilder().setName(room).build().toByteArray());
            for (long pid : idle) {
                awaitExit(pid);
            }
            deleteRoom(room);
        }

        private void twirp(String method, byte[] body) {
            JsonObject claims = new JsonObject();
            long now = System.currentTimeMillis() / 1000;
            claims.addProperty("iss", KEY);
            claims.addProperty("nbf", now);
            claims.addProperty("exp", now + 600);
            JsonObject video = new JsonObject();
            video.addProperty("roomCreate", true);
            claims.add("video", video);
            String token = AccessToken.sign(claims, SECRET);
            try {
                HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + serverPort + "/twirp/livekit.RoomService/" + method))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/protobuf")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 200) {
                    throw new IllegalStateException(method + ": HTTP " + res.statusCode() + " " + res.body());
                }
            } catch (IOException e) {
                throw new IllegalStateException(method + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(method + " interrupted", e);
            }
        }

        /** SIGTERM (dev: jobs shut down gracefully, exit 0), then SIGKILL for anything left. */
        @Override
        public void close() {
            List<ProcessHandle> tree = process.toHandle().descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    System.out.println("lk-worker dev did not exit on SIGTERM within 30 s: killing it; see " + log);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                for (ProcessHandle h : tree) {
                    try {
                        h.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        System.out.println("child " + h.pid() + " still alive after the daemon exited: killing it");
                        h.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
                Thread.currentThread().interrupt();
            } finally {
                LIVE.remove(this);
            }
        }
    }

    /** With --diagnose-memory: the daemon's heap and (with -XX:NativeMemoryTracking) native memory, on stdout. */
    private static void diagnose(Dev dev, String when) {
        if (!diagnoseMemory) {
            return;
        }
        System.out.println("---- dev daemon " + dev.pid() + ", " + when + ": RSS " + ProcMemory.rssKb(dev.pid()) + " KB, PSS "
                + ProcMemory.pssKb(dev.pid()) + " KB");
        System.out.println("threads: " + threadCount(dev.pid()) + "; smaps_rollup: " + rollup(dev.pid()));
        for (String command : List.of("GC.heap_info", "GC.class_histogram", "GC.heap_info", "VM.native_memory summary")) {
            try {
                List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(dev.pid())));
                cmd.addAll(Arrays.asList(command.split(" ")));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor();
                if (command.equals("GC.class_histogram")) { // forces a full GC; the 40 largest classes
                    out = String.join("\n", Arrays.asList(out.split("\n")).subList(0, Math.min(44, out.split("\n").length)));
                }
                System.out.println(out);
            } catch (IOException e) {
                System.out.println("jcmd: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int threadCount(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    private static String rollup(long pid) {
        try {
            return String.join(", ", Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")).stream()
                    .filter(l -> l.startsWith("Rss") || l.startsWith("Anonymous") || l.startsWith("Private_Dirty")
                            || l.startsWith("Shared_Clean") || l.startsWith("Private_Clean"))
                    .map(l -> l.replaceAll("\\s+", " ")).toList());
        } catch (IOException e) {
            return "?";
        }
    }

    private static void cleanUp() {
        for (Participant p : List.copyOf(PARTICIPANTS)) {
            p.close();
        }
        for (Dev dev : List.copyOf(LIVE)) {
            dev.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    static String participantToken(String room, String identity, boolean noAgent) {
        String token = AccessToken.participantToken(KEY, SECRET, room, identity, identity, System.currentTimeMillis(),
                Duration.ofMinutes(30));
        if (!noAgent) {
            return token;
        }
        // A room whose creator names an agent nobody serves gets no automatic dispatch.
        try {
            JsonObject claims = AccessToken.unverifiedClaims(token);
            JsonObject agent = new JsonObject();
            agent.addProperty("agentName", "bench-nobody");
            JsonArray agents = new JsonArray();
            agents.add(agent);
            JsonObject roomConfig = new JsonObject();
            roomConfig.add("agents", agents);
            claims.add("roomConfig", roomConfig);
            return AccessToken.sign(claims, SECRET);
        } catch (io.lkworker.jwt.Jwt.InvalidTokenException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitExit(long pid) throws Exception {
        if (pid <= 0) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()) {
            h.get().onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    static boolean archiveExists(Path runDir) throws IOException {
        Path cds = runDir.resolve("cds");
        if (!Files.isDirectory(cds)) {
            return false;
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.anyMatch(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"));
        }
    }

    /** CPU of {@code pid} over {@code seconds}, in % of one core; its busiest threads go to {@code r}'s notes. */
    private static double cpuPercent(long pid, int seconds, RoomRound r, String what) throws InterruptedException {
        java.util.Map<String, Long> threads0 = threadTicks(pid);
        long[] t0 = ticks(pid);
        long w0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        long[] t1 = ticks(pid);
        long wall = System.nanoTime() - w0;
        java.util.Map<String, Long> threads1 = threadTicks(pid);
        r.threads.add(what + ": " + busiestThreads(threads0, threads1, wall, 6));
        return percent(t0, t1, wall);
    }

    private static double percent(long[] before, long[] after, long wallNanos) {
        if (before == null || after == null) {
            return Double.NaN;
        }
        long used = (after[0] + after[1]) - (before[0] + before[1]);
        return 100.0 * used / CLK_TCK / (wallNanos / 1e9);
    }

    /** utime+stime per thread ("name/tid") of {@code pid}, in clock ticks. */
    static java.util.Map<String, Long> threadTicks(long pid) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(comm + "/" + task.getFileName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
                } catch (IOException | RuntimeException e) {
                    // thread ended
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return out;
    }

    /** The {@code n} threads that used most CPU between two {@link #threadTicks} snapshots, in % of one core. */
    static String busiestThreads(java.util.Map<String, Long> before, java.util.Map<String, Long> after, long wallNanos, int n) {
        java.util.Map<String, Double> byName = new java.util.HashMap<>();
        after.forEach((k, v) -> {
            long used = v - before.getOrDefault(k, 0L);
            String name = k.substring(0, k.lastIndexOf('/')).replaceAll("[0-9]+$", "#");
            byName.merge(name, 100.0 * used / CLK_TCK / (wallNanos / 1e9), Double::sum);
        });
        return byName.entrySet().stream().filter(e -> e.getValue() >= 0.05)
                .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.1f %%", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** {utime, stime} of {@code pid} in clock ticks (all its threads), from /proc/PID/stat; null if gone. */
    static long[] ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | RuntimeException | InterruptedException e) {
            return 100;
        }
    }

    private static void load(RoomRound r, String phase) {
        r.loads.add(phase + ": " + ProcMemory.loadAvg());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(v -> Long.toString(Math.round(v))).toList().toString();
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    private static void quietLogs() {
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
