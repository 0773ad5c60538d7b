package io.lkworker.bench;

import io.lkworker.api.rtc.AudioSink;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.Pitch;
import io.lkworker.talk.ToneGenerator;
import io.lkworker.testing.FreezableProxy;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import livekit.LivekitRtc;

/**
 * How long a call is interrupted by a network fault, seen by the other participant (not a test).
 * <pre>
 * mvn -q -B -o test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RecoveryBenchmark [--tries 20] [--out FILE]
 * </pre>
 * An embedded dev server in this JVM; a speaker ({@link RtcRoom}) whose signalling goes through a TCP
 * proxy publishes a continuous 440 Hz tone; a listener connected directly records when each 10 ms
 * frame of the speaker's track (the newest one, a full reconnect brings a new one) carries the tone.
 * Per try, once the tone has flowed steadily for 500 ms, a fault:
 * <ul>
 * <li>{@code resume}: the speaker's signalling connection is cut (TCP reset at the proxy); the room resumes;</li>
 * <li>{@code reconnect}: the server sends the speaker {@code Leave{RECONNECT}}; the room rejoins and republishes.</li>
 * </ul>
 * Reported per mode, p50/p95 over the tries: fault → the speaker's {@code onReconnected}; the longest
 * silence at the listener around the fault (what a caller hears); fault → tone heard again after
 * that silence (0 when the tone never stopped). Results go to benchmarks/results-recovery.md.
 */
public final class RecoveryBenchmark {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A frame "carries the tone" above this RMS (the tone is sent at 0.3 of full scale, ~7000). */
    private static final double LOUD = 1000;
    /** Silences shorter than this are jitter, not an interruption. */
    private static final long GAP_FLOOR_MS = 100;

    private record Try(long reconnectedMs, long gapMs, long backMs) {
    }

    public static void main(String[] args) throws Exception {
        int tries = 20;
        Path out = Path.of("benchmarks", "results-recovery.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tries" -> tries = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        List<Try> resumes = run("resume", tries);
        List<Try> rejoins = run("reconnect", tries);
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        StringBuilder md = new StringBuilder();
        md.append("## Recovery results (RecoveryBenchmark)\n\n")
                .append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, JDK ")
                .append(System.getProperty("java.version")).append(", ").append(tries).append(" tries per mode; load average before `")
                .append(load).append("`, after `").append(loadAfter).append("`\n\n")
                .append("Command: `java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) "
                        + "io.lkworker.bench.RecoveryBenchmark --tries ").append(tries).append("`\n\n")
                .append("| fault | target | fault → `onReconnected` p50 / p95 | longest silence at the listener p50 / p95 "
                        + "| fault → tone heard again p50 / p95 |\n|---|---|---|---|---|\n");
        row(md, "signalling cut (TCP reset) → resume", "≤ 1 s", resumes);
        row(md, "`Leave{RECONNECT}` → full reconnect", "≤ 3 s", rejoins);
        System.out.println(md);
        new GeneratedSection("RecoveryBenchmark").write(out, md.toString());
        System.exit(0);
    }

    private static void row(StringBuilder md, String fault, String target, List<Try> t) {
        md.append("| ").append(fault).append(" | ").append(target)
                .append(" | ").append(p(t, 50, Try::reconnectedMs)).append(" / ").append(p(t, 95, Try::reconnectedMs)).append(" ms")
                .append(" | ").append(p(t, 50, Try::gapMs)).append(" / ").append(p(t, 95, Try::gapMs)).append(" ms")
                .append(" | ").append(p(t, 50, Try::backMs)).append(" / ").append(p(t, 95, Try::backMs)).append(" ms |\n");
    }

    private static long p(List<Try> tries, int pct, java.util.function.ToLongFunction<Try> f) {
        List<Long> v = new ArrayList<>(tries.stream().map(f::applyAsLong).toList());
        Collections.sort(v);
        return v.get(Math.min(v.size() - 1, (int) Math.ceil(pct / 100.0 * v.size()) - 1));
    }

    private static List<Try> run(String mode, int tries) throws Exception {
        List<Try> results = new ArrayList<>();
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
             FreezableProxy proxy = new FreezableProxy(new InetSocketAddress("127.0.0.1", server.port()))) {
            String room = "recovery-" + mode;
            RtcRoom speaker = RtcRoom.connect("ws://127.0.0.1:" + proxy.port(), token(room, "speaker"), ConnectOptions.defaults());
            ConcurrentLinkedDeque<Long> loud = new ConcurrentLinkedDeque<>();
            AtomicReference<CompletableFuture<Void>> reconnected = new AtomicReference<>(new CompletableFuture<>());
            speaker.addListener(new RoomListener() {
                @Override
                public void onReconnected() {
                    reconnected.get().complete(null);
                }
            });
            AudioSource source = new AudioSource(48000, 1);
            speaker.localParticipant().publishTrack(LocalAudioTrack.create("tone", source));
            Thread tone = tone(source);
            RtcRoom listener = RtcRoom.connect(server.url(), token(room, "listener"), ConnectOptions.defaults());
            listener.addListener(new RoomListener() {
                @Override
                public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication pub, RemoteParticipant from) {
                    ((RemoteAudioTrack) track).addSink(frame -> {
                        if (Pitch.rms(frame.data()) > LOUD) {
                            loud.add(System.nanoTime());
                        }
                    });
                }
            });
            for (int i = 0; i < tries; i++) {
                awaitTrue(() -> steadyFor(loud, 500), "steady tone before try " + (i + 1));
                reconnected.set(new CompletableFuture<>());
                long t0 = System.nanoTime();
                if (mode.equals("resume")) {
                    proxy.cutAll();
                } else {
                    server.sendLeave(room, "speaker", LivekitRtc.LeaveRequest.Action.RECONNECT);
                }
                reconnected.get().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                long tr = System.nanoTime();
                awaitTrue(() -> steadyFor(loud, 500), "tone back after try " + (i + 1));
                Try t = measure(loud, t0, tr);
                System.out.printf("%s try %d: reconnected %d ms, longest silence %d ms, back after %d ms%n", mode, i + 1,
                        t.reconnectedMs(), t.gapMs(), t.backMs());
                results.add(t);
            }
            tone.interrupt();
            listener.disconnect();
            speaker.disconnect();
        }
        return results;
    }

    private static Try measure(ConcurrentLinkedDeque<Long> loud, long t0, long tReconnected) {
        List<Long> times = new ArrayList<>(loud);
        long from = t0 - TimeUnit.MILLISECONDS.toNanos(200);
        long gap = 0;
        long gapEnd = t0;
        Long prev = null;
        for (long t : times) {
            if (t < from) {
                continue;
            }
            if (prev != null && t - prev > gap) {
                gap = t - prev;
                gapEnd = t;
            }
            prev = t;
        }
        long gapMs = TimeUnit.NANOSECONDS.toMillis(gap);
        long backMs = gapMs < GAP_FLOOR_MS ? 0 : TimeUnit.NANOSECONDS.toMillis(gapEnd - t0);
        return new Try(TimeUnit.NANOSECONDS.toMillis(tReconnected - t0), gapMs, backMs);
    }

    /** True when tone frames have kept arriving, ≤ 100 ms apart, for the last {@code ms}. */
    private static boolean steadyFor(ConcurrentLinkedDeque<Long> loud, long ms) {
        long now = System.nanoTime();
        long since = now - TimeUnit.MILLISECONDS.toNanos(ms);
        Long last = loud.peekLast();
        if (last == null || now - last > TimeUnit.MILLISECONDS.toNanos(100)) {
            return false;
        }
        Long prev = null;
        boolean covered = false;
        for (var it = loud.descendingIterator(); it.hasNext(); ) {
            long t = it.next();
            if (prev != null && prev - t > TimeUnit.MILLISECONDS.toNanos(100)) {
                return false;
            }
            prev = t;
            if (t <= since) {
                covered = true;
                break;
            }
        }
        return covered;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(10); // polling a measurement, not synchronising a test
        }
    }

    private static Thread tone(AudioSource source) {
        ToneGenerator gen = new ToneGenerator(440, 48000, 1, 0.3);
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    source.captureFrame(gen.next());
                }
            } catch (InterruptedException | IllegalStateException e) {
                // done
            }
        }, "bench-tone");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String token(String room, String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room, identity,
                identity, System.currentTimeMillis(), Duration.ofMinutes(30));
    }

    private RecoveryBenchmark() {
    }
}
