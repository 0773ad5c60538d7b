package io.lkworker.bench;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.bench.agent.BenchAgent;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An experiment beside {@link RoomBenchmark} (not a test): where a job's {@code connect()} time goes. It
 * starts {@code lk-worker dev} (with {@code BenchAgent}; the probe's rooms dispatch nothing) and then, {@code
 * --runs} times, a fresh JVM with the job processes' flags ({@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1
 * -XX:CICompilerCount=1 -Xss512k}) that loads the WebRTC library (what a warm child did during prewarm),
 * creates the media engine (what a job's first connect does), then joins {@code --rooms} rooms one after
 * another with {@link RtcRoom#connect}, each a new room with only this participant:
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RoomConnectProbe [--runs 3] [--rooms 5]
 * </pre>
 * The first connect of a JVM runs its code cold, as every job's does (children are single-use); the later
 * ones show the same connect with that code warm. A first, unreported run writes a dynamic class-data archive
 * that the others start from (as children start from the pool's); every second run initialises LiveKit's
 * protobuf classes (descriptors) before its first connect, timed on their own.
 */
public final class RoomConnectProbe {

    private RoomConnectProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
            return;
        }
        int runs = 3;
        int rooms = 5;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--rooms" -> rooms = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("lkw-connectprobe-");
        Path jar = AgentJarFixture.build(work.resolve("agent"), BenchAgent.class);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println("load average " + ProcMemory.loadAvg());
        try (RoomBenchmark.Dev dev = RoomBenchmark.Dev.start(System.getProperty("java.home"), jar, work.resolve("run"),
                work.resolve("dev.log"))) {
            Path archive = work.resolve("probe.jsa");
            // Run 0 trains a dynamic class-data archive (as the pool does for its children) and is not reported;
            // then each run twice: plain, and with LiveKit's protobuf descriptors initialised before connecting.
            for (int run = 0; run <= 2 * runs; run++) {
                boolean protos = run > 0 && run % 2 == 0;
                List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-XX:CICompilerCount=1", "-Xss512k", "-XX:-UsePerfData",
                        run == 0 ? "-XX:ArchiveClassesAtExit=" + archive : "-XX:SharedArchiveFile=" + archive,
                        "-D" + NativeLibrary.DIR_PROPERTY + "=" + work.resolve("native"),
                        "-cp", System.getProperty("java.class.path"), RoomConnectProbe.class.getName(), "--child",
                        dev.url(), Integer.toString(rooms), Boolean.toString(protos)));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                p.waitFor();
                for (String line : out.split("\n")) {
                    if (line.startsWith("probe") && run > 0) {
                        System.out.println("run " + (run + 1) / 2 + ": " + line);
                    }
                }
            }
        }
        System.out.println("load average " + ProcMemory.loadAvg());
        System.exit(0);
    }

    private static void child(String url, int rooms, boolean protos) throws Exception {
        org.slf4j.LoggerFactory.getILoggerFactory();
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.getLoggerList().forEach(l -> l.setLevel(l.getLevel() == null ? null : ch.qos.logback.classic.Level.WARN));
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
        }
        long t0 = System.nanoTime();
        NativeLibrary.load();
        long t1 = System.nanoTime();
        MediaEngine.shared();
        long t2 = System.nanoTime();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "probe: library load %.0f ms (prewarm), media engine %.0f ms", (t1 - t0) / 1e6, (t2 - t1) / 1e6));
        if (protos) {
            long p0 = System.nanoTime();
            livekit.LivekitRtc.getDescriptor();
            livekit.LivekitRtc.SignalRequest.getDefaultInstance();
            livekit.LivekitRtc.SignalResponse.getDefaultInstance();
            livekit.LivekitModels.DataPacket.getDefaultInstance();
            sb.append(String.format(Locale.ROOT, ", LiveKit protobuf classes initialised first %.0f ms",
                    (System.nanoTime() - p0) / 1e6));
        }
        sb.append(", connects");
        for (int i = 0; i < rooms; i++) {
            String token = RoomBenchmark.participantToken("probe-" + System.nanoTime(), "probe", true);
            long c0 = System.nanoTime();
            RtcRoom room = RtcRoom.connect(url, token, ConnectOptions.defaults());
            long c1 = System.nanoTime();
            sb.append(String.format(Locale.ROOT, " %.0f", (c1 - c0) / 1e6));
            room.disconnect();
            Thread.sleep(300);
        }
        System.out.println(sb.append(" ms"));
        System.out.flush();
        System.exit(0);
    }
}
