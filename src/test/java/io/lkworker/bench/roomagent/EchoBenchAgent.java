package io.lkworker.bench.roomagent;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.TrackSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The agent of {@code RoomBenchmark}: {@code examples/echo-agent}'s audio path, unchanged (connect
 * with audio-only auto-subscribe, publish a 48 kHz mono track with a 100 ms queue, play the first
 * microphone back frame by frame through {@code AudioStream.of(track, 48000, 1)}), plus reports on
 * the data topic {@code bench} to everyone in the room (times are epoch nanoseconds, from
 * {@link Instant#now()}, comparable across processes on one machine):
 * <ul>
 * <li>{@code connect <jobId> <pid> <entered> <connectCalled> <connectReturned> <trackPublished> <preinitMs>}
 *     after connecting and publishing, every 250 ms (for at most 10 s) until the participant answers {@code ack}
 *     on the same topic;</li>
 * <li>{@code subscribed <at>} when it subscribed to a microphone (RoomListener.onTrackSubscribed);</li>
 * <li>{@code onset <heardAt> <queuedMicros>} whenever what it hears rises above about -40 dBFS after at
 *     least 200 ms below: when the frame was taken from the AudioStream, and how much audio was then
 *     waiting in the agent's own AudioSource queue.</li>
 * </ul>
 * Reports are sent from a thread of their own, so the echo loop never waits for the data channel. It
 * lives in a package of its own: the benchmark's jars hold a whole package, and a room-using class
 * next to {@code BenchAgent} would make that agent's children preload WebRTC too.
 */
public final class EchoBenchAgent implements Agent {

    static final double SOUND_RMS = 330;
    private static final int QUIET_FRAMES_BEFORE_ONSET = 20;

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        long entered = epochNanos();
        long preinitMs = preinit(ctx, System.getenv("ROOMBENCH_PREINIT"));
        long connectCalled = epochNanos();
        Room room = ctx.connect(ConnectOptions.defaults().withAutoSubscribe(AutoSubscribe.AUDIO_ONLY));
        long connectReturned = epochNanos();
        AudioSource voice = new AudioSource(48000, 1, 100);
        room.localParticipant().publishTrack(LocalAudioTrack.create("echo", voice));
        long published = epochNanos();

        ExecutorService reporter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bench-reporter");
            t.setDaemon(true);
            return t;
        });
        BlockingQueue<RemoteAudioTrack> microphones = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch acked = new java.util.concurrent.CountDownLatch(1);
        room.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant from) {
                if (track instanceof RemoteAudioTrack audio && publication.source() == TrackSource.MICROPHONE) {
                    report(reporter, room, "subscribed " + epochNanos());
                    microphones.add(audio);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                if ("bench".equals(topic) && "ack".equals(new String(data, StandardCharsets.US_ASCII))) {
                    acked.countDown();
                }
            }
        });
        // Repeated until the participant acknowledges: the server drops data for a participant whose own
        // data channel is not open yet, and a fast agent can be connected before the participant is.
        String connectLine = "connect " + ctx.job().id() + " " + ProcessHandle.current().pid() + " " + entered
                + " " + connectCalled + " " + connectReturned + " " + published + " " + preinitMs;
        Thread announcer = new Thread(() -> {
            try {
                for (int i = 0; i < 40 && !acked.await(i == 0 ? 0 : 250, TimeUnit.MILLISECONDS); i++) {
                    report(reporter, room, connectLine);
                }
            } catch (InterruptedException e) {
                // job ending
            }
        }, "bench-announcer");
        announcer.setDaemon(true);
        announcer.start();
        room.remoteParticipants().values().forEach(p -> p.trackPublications().values().forEach(pub ->
                pub.track().filter(t -> t instanceof RemoteAudioTrack && pub.source() == TrackSource.MICROPHONE)
                        .ifPresent(t -> microphones.add((RemoteAudioTrack) t))));

        while (!ctx.isShuttingDown()) {
            RemoteAudioTrack microphone = microphones.poll(200, TimeUnit.MILLISECONDS);
            if (microphone != null) {
                echo(microphone, voice, ctx, reporter, room);
            }
        }
        voice.close();
        reporter.shutdownNow();
    }

    private static void echo(RemoteAudioTrack microphone, AudioSource voice, JobContext ctx, ExecutorService reporter,
                             Room room) throws InterruptedException {
        int quiet = QUIET_FRAMES_BEFORE_ONSET;
        try (AudioStream heard = AudioStream.of(microphone, 48000, 1)) {
            while (!ctx.isShuttingDown()) {
                AudioFrame frame = heard.poll(Duration.ofMillis(200));
                if (frame != null) {
                    if (rms(frame.data()) > SOUND_RMS) {
                        if (quiet >= QUIET_FRAMES_BEFORE_ONSET) {
                            long at = epochNanos();
                            long queuedMicros = voice.queuedDuration().toNanos() / 1000;
                            report(reporter, room, "onset " + at + " " + queuedMicros);
                        }
                        quiet = 0;
                    } else {
                        quiet++;
                    }
                    voice.captureFrame(frame);
                } else if (heard.isEnded()) {
                    break;
                }
            }
        }
    }

    /**
     * Experiment only (environment {@code ROOMBENCH_PREINIT}, inherited from the daemon): before the timed
     * connect, initialise what a job's first connect would otherwise initialise, to see what the connect
     * costs with that work done. {@code protos}: LiveKit's protobuf classes (descriptors); {@code classes}:
     * also load and initialise every class of the room client, webrtc-java and the WebSocket client. Reaches
     * them through the runtime's class loader (the agent's own loader sees only the API). Returns the ms it
     * took, or -1 when off.
     */
    private static long preinit(JobContext ctx, String mode) {
        if (mode == null || mode.isEmpty()) {
            return -1;
        }
        long t0 = System.nanoTime();
        ClassLoader runtime = ctx.getClass().getClassLoader();
        try {
            for (String proto : java.util.List.of("livekit.LivekitModels", "livekit.LivekitRtc")) {
                Class.forName(proto, true, runtime).getMethod("getDescriptor").invoke(null);
            }
            for (String message : java.util.List.of("livekit.LivekitRtc$SignalRequest", "livekit.LivekitRtc$SignalResponse",
                    "livekit.LivekitRtc$JoinResponse", "livekit.LivekitModels$DataPacket", "livekit.LivekitModels$ParticipantInfo")) {
                Class.forName(message, true, runtime).getMethod("getDefaultInstance").invoke(null);
            }
            if (mode.equals("classes")) {
                for (String marker : java.util.List.of("io.lkworker.rtc.RtcRoom", "dev.onvoid.webrtc.RTCPeerConnection",
                        "org.java_websocket.client.WebSocketClient")) {
                    Class<?> c = Class.forName(marker, false, runtime);
                    String prefix = marker.substring(0, marker.lastIndexOf('.') + 1).replace('.', '/');
                    java.nio.file.Path where = java.nio.file.Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                    java.util.List<String> names = new java.util.ArrayList<>();
                    if (java.nio.file.Files.isDirectory(where)) {
                        try (var walk = java.nio.file.Files.walk(where)) {
                            walk.map(f -> where.relativize(f).toString()).forEach(names::add);
                        }
                    } else {
                        try (var jar = new java.util.jar.JarFile(where.toFile())) {
                            jar.stream().map(java.util.jar.JarEntry::getName).forEach(names::add);
                        }
                    }
                    for (String n : names) {
                        if (n.startsWith(prefix) && n.endsWith(".class") && !n.contains("module-info")) {
                            try {
                                Class.forName(n.substring(0, n.length() - 6).replace('/', '.'), true, runtime);
                            } catch (Throwable e) {
                                // a class that cannot initialise outside its context: skip it
                            }
                        }
                    }
                }
            }
        } catch (ReflectiveOperationException | java.io.IOException | java.net.URISyntaxException e) {
            System.err.println("preinit failed: " + e);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void report(ExecutorService reporter, Room room, String line) {
        reporter.execute(() -> {
            try {
                room.localParticipant().publishData(line.getBytes(StandardCharsets.US_ASCII),
                        DataOptions.defaults().withTopic("bench"));
            } catch (RuntimeException e) {
                System.err.println("bench report not sent: " + e);
            }
        });
    }

    static double rms(short[] samples) {
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
