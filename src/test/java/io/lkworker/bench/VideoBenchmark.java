package io.lkworker.bench;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RemoteVideoTrack;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoStream;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Video through the development server, measured in three processes so each one's CPU is its own:
 * the server ({@link SoakServer}: decodes every published track and re-encodes it for the subscriber),
 * a publisher ({@link VideoBenchPublisher}: encodes {@code --tracks} moving bars) and the subscriber in
 * this JVM (decodes, copies each frame out of native memory, reads it from a {@link VideoStream}).
 * After {@code --warmup} seconds it counts frames and CPU time over {@code --seconds}; the server's
 * and the subscriber's idle CPU before anything is published are measured too; "per track" is the
 * difference from idle divided by the tracks (the publisher's has no idle baseline: its whole CPU).
 *
 * <pre>
 * mvn -B -o -q test-compile
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.VideoBenchmark \
 *     [--width 640] [--height 360] [--fps 30] [--tracks 1] [--noise 0] [--warmup 10] [--seconds 30]
 * </pre>
 * The picture is a moving bar ({@code MovingBar}), cheap to encode; {@code --noise N} adds fresh
 * ±N luma noise to every sample of every frame, the expensive end of what a camera gives.
 * Prints a Markdown section for {@code benchmarks/results-video.md}.
 */
public final class VideoBenchmark {

    private static final String ROOM = "video-bench";

    private VideoBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int width = intArg(args, "--width", 640);
        int height = intArg(args, "--height", 360);
        int fps = intArg(args, "--fps", 30);
        int tracks = intArg(args, "--tracks", 1);
        int warmup = intArg(args, "--warmup", 10);
        int seconds = intArg(args, "--seconds", 30);
        int noise = intArg(args, "--noise", 0);
        RoomSoakBenchmark.quietLogs();

        Process server = start(SoakServer.class.getName());
        Process publisher = null;
        RtcRoom room = null;
        List<VideoStream> streams = new CopyOnWriteArrayList<>();
        try {
            String url = readLine(server, "URL ").substring(4).trim();
            // the subscriber joins first, so that every track is forwarded to it as soon as it exists
            CompletableFuture<Void> allTracks = new CompletableFuture<>();
            room = RtcRoom.connect(url, token("subscriber"), ConnectOptions.defaults());
            AtomicLong frames = new AtomicLong();
            List<Thread> readers = new ArrayList<>();
            room.addListener(new RoomListener() {
                @Override
                public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication pub, RemoteParticipant p) {
                    if (track instanceof RemoteVideoTrack video) {
                        VideoStream stream = VideoStream.of(video);
                        streams.add(stream);
                        Thread reader = new Thread(() -> {
                            for (VideoFrame f : stream) {
                                if (f.width() == width) {
                                    frames.incrementAndGet();
                                }
                            }
                        }, "reader-" + track.sid());
                        reader.setDaemon(true);
                        reader.start();
                        readers.add(reader);
                        if (streams.size() == tracks) {
                            allTracks.complete(null);
                        }
                    }
                }
            });
            long serverIdle0 = cpuNanos(server);
            long ownIdle0 = ownCpuNanos();
            Thread.sleep(5000); // benchmark, not a test: a fixed window for the idle baseline
            double serverIdle = (cpuNanos(server) - serverIdle0) / 5e9;
            double ownIdle = (ownCpuNanos() - ownIdle0) / 5e9;

            publisher = start(VideoBenchPublisher.class.getName(), url, token("publisher"), String.valueOf(width),
                    String.valueOf(height), String.valueOf(fps), String.valueOf(tracks), String.valueOf(noise));
            readLine(publisher, "PUBLISHED");
            allTracks.get(60, TimeUnit.SECONDS);
            Thread.sleep(warmup * 1000L);

            long f0 = frames.get();
            long own0 = ownCpuNanos();
            long srv0 = cpuNanos(server);
            long pub0 = cpuNanos(publisher);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double fpsReceived = (frames.get() - f0) / elapsed;
            double own = (ownCpuNanos() - own0) / 1e9 / elapsed;
            double srv = (cpuNanos(server) - srv0) / 1e9 / elapsed;
            double pub = (cpuNanos(publisher) - pub0) / 1e9 / elapsed;
            long dropped = streams.stream().mapToLong(VideoStream::droppedFrames).sum();

            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "Run %s: %d track(s) of %dx%d at %d fps published (moving bar, noise ±%d),"
                            + " %d s warm-up, %.0f s measured; JDK %s, %d cores.%n%n", Instant.now().truncatedTo(ChronoUnit.SECONDS),
                    tracks, width, height, fps, noise, warmup, elapsed, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors()));
            b.append("| measure | value | per track |\n| --- | --- | --- |\n");
            b.append(String.format(Locale.ROOT, "| frames/s received by the Java subscriber (all tracks) | %.1f | %.1f |%n",
                    fpsReceived, fpsReceived / tracks));
            b.append(String.format(Locale.ROOT, "| subscriber process CPU (decode, copy out, read) | %.1f %% of a core | %.1f %% |%n",
                    own * 100, (own - ownIdle) * 100 / tracks));
            b.append(String.format(Locale.ROOT, "| subscriber process CPU idle (in the room, nothing published) | %.1f %% of a core | |%n",
                    ownIdle * 100));
            b.append(String.format(Locale.ROOT, "| dev server process CPU while forwarding | %.1f %% of a core | %.1f %% |%n",
                    srv * 100, (srv - serverIdle) * 100 / tracks));
            b.append(String.format(Locale.ROOT, "| dev server process CPU idle (before publishing) | %.1f %% of a core | |%n",
                    serverIdle * 100));
            b.append(String.format(Locale.ROOT, "| publisher process CPU (capture, convert, encode) | %.1f %% of a core | %.1f %% |%n",
                    pub * 100, pub * 100 / tracks));
            b.append(String.format(Locale.ROOT, "| frames the subscriber's streams dropped (reader behind) | %d | |%n", dropped));
            System.out.println(b);
        } finally {
            streams.forEach(VideoStream::close);
            if (room != null) {
                room.disconnect();
            }
            stop(publisher);
            stop(server);
        }
        System.exit(0);
    }

    private static String token(String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(30));
    }

    private static Process start(String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The first line of {@code p}'s output starting with {@code prefix}; the rest is drained. */
    private static String readLine(Process p, String prefix) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException(p.pid() + " ended without printing " + prefix);
        });
        String found = line.get(60, TimeUnit.SECONDS);
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (java.io.IOException e) {
                // gone
            }
        }, "drain-" + p.pid());
        drain.setDaemon(true);
        drain.start();
        return found;
    }

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void stop(Process p) throws Exception {
        if (p == null) {
            return;
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
