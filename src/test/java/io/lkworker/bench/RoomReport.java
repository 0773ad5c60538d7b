package io.lkworker.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Renders {@link RoomBenchmark}'s rounds as markdown: medians over rounds, then every round. */
final class RoomReport {

    private RoomReport() {
    }

    static double pct(List<Double> values, int p) {
        return Report.pct(values, p);
    }

    private static double median(List<RoomRound> rounds, ToDoubleFunction<RoomRound> f) {
        List<Double> v = new ArrayList<>();
        for (RoomRound r : rounds) {
            double x = f.applyAsDouble(r);
            if (!Double.isNaN(x)) {
                v.add(x);
            }
        }
        return pct(v, 50);
    }

    private static String row(List<RoomRound> rounds, String what, String target, String fmt, ToDoubleFunction<RoomRound> f) {
        StringBuilder sb = new StringBuilder("| ").append(what).append(" | ").append(target).append(" | **")
                .append(format(fmt, median(rounds, f))).append("** |");
        for (RoomRound r : rounds) {
            sb.append(' ').append(format(fmt, f.applyAsDouble(r))).append(" |");
        }
        return sb.append('\n').toString();
    }

    private static String format(String fmt, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, fmt, v);
    }

    private static double mb(long kb) {
        return kb <= 0 ? Double.NaN : kb / 1024.0;
    }

    static String render(List<RoomRound> rounds, String javaHome, String args, int jobs, int bursts, int oneway,
                         int cpuSeconds, List<Integer> cpuRooms) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Room results (RoomBenchmark)\n\n")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores (`nproc`), JDK ")
                .append(System.getProperty("java.version")).append(" (benchmark JVM; daemon and children on ")
                .append(javaHome).append("), ").append(rounds.size()).append(" rounds\n\n")
                .append("Command: `mvn -q -B -o test-compile && java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.RoomBenchmark")
                .append(args.isBlank() ? "" : " " + args).append("`")
                .append(System.getenv("ROOMBENCH_PREINIT") == null ? "" : " with ROOMBENCH_PREINIT="
                        + System.getenv("ROOMBENCH_PREINIT") + " (experiment: the agent initialises classes before connecting)")
                .append("\n\n");
        sb.append("| metric | target | median of rounds |");
        for (int i = 1; i <= rounds.size(); i++) {
            sb.append(" round ").append(i).append(" |");
        }
        sb.append("\n|---|---|---|").append("---|".repeat(rounds.size())).append('\n');
        String n = " (" + jobs + " rooms)";
        sb.append("| **connect** | | | ").append("| ".repeat(rounds.size())).append('\n');
        sb.append(row(rounds, "agent `ctx.connect()` p50" + n, "≤ 200 ms", "%.0f ms", r -> pct(r.agentConnectMs, 50)));
        sb.append(row(rounds, "agent `ctx.connect()` p95", "", "%.0f ms", r -> pct(r.agentConnectMs, 95)));
        sb.append(pairRow(rounds, "participant `RtcRoom.connect()` p50 / p95 (benchmark JVM)", r -> r.participantConnectMs));
        sb.append(row(rounds, "participant joined → agent's track subscribed, p50", "", "%.0f ms", r -> pct(r.joinToTrackMs, 50)));
        sb.append(row(rounds, "participant joined → agent's track subscribed, p95", "", "%.0f ms", r -> pct(r.joinToTrackMs, 95)));
        sb.append(row(rounds, "… participant's connect called → agent entrypoint (p50)", "", "%.0f ms", r -> pct(r.calledToEnteredMs, 50)));
        sb.append(row(rounds, "… agent `connect()` (p50, as above)", "", "%.0f ms", r -> pct(r.agentConnectMs, 50)));
        sb.append(row(rounds, "… agent connected → its track published (p50)", "", "%.0f ms", r -> pct(r.connectToPublishedMs, 50)));
        sb.append(row(rounds, "… published → subscribed at the participant (p50)", "", "%.0f ms", r -> pct(r.publishedToSubscribedMs, 50)));
        sb.append(row(rounds, "first room after daemon start: agent `connect()`", "", "%.0f ms", r -> r.firstAgentConnectMs));
        sb.append(row(rounds, "first room after daemon start: joined → agent's track", "", "%.0f ms", r -> r.firstJoinToTrackMs));
        sb.append(row(rounds, "first room after daemon start: participant `connect()`", "", "%.0f ms", r -> r.firstParticipantConnectMs));
        sb.append(row(rounds, "rooms that failed", "", "%.0f", r -> r.connectFailures));
        sb.append("| **echo** (tone onset sent → echo onset heard) | | | ").append("| ".repeat(rounds.size())).append('\n');
        sb.append(row(rounds, "echo delay p50 (" + bursts + " bursts × " + jobs + " rooms)", "≤ 250 ms", "%.0f ms", r -> pct(r.echoMs, 50)));
        sb.append(row(rounds, "echo delay p95", "", "%.0f ms", r -> pct(r.echoMs, 95)));
        sb.append(row(rounds, "… participant → agent (agent's AudioStream), p50", "", "%.0f ms", r -> pct(r.upMs, 50)));
        sb.append(row(rounds, "… participant → agent, p95", "", "%.0f ms", r -> pct(r.upMs, 95)));
        sb.append(row(rounds, "… agent → participant, p50", "", "%.0f ms", r -> pct(r.downMs, 50)));
        sb.append(row(rounds, "… agent → participant, p95", "", "%.0f ms", r -> pct(r.downMs, 95)));
        sb.append(row(rounds, "… agent's AudioSource queue at the onset, p50", "", "%.1f ms", r -> pct(r.agentQueueMs, 50)));
        sb.append(row(rounds, "… agent's AudioSource queue at the onset, p95", "", "%.1f ms", r -> pct(r.agentQueueMs, 95)));
        for (int b = 0; b < bursts; b++) {
            int index = b;
            sb.append(row(rounds, "… echo delay p50 of each room's burst " + (b + 1), "", "%.0f ms",
                    r -> r.echoByIndexMs.size() > index ? pct(r.echoByIndexMs.get(index), 50) : Double.NaN));
        }
        sb.append(row(rounds, "bursts without a heard echo", "", "%.0f", r -> r.burstsLost));
        sb.append(row(rounds, "one-way participant → server → participant p50 (" + bursts + " × " + oneway + " rooms, no agent)", "",
                "%.0f ms", r -> pct(r.onewayMs, 50)));
        sb.append(row(rounds, "one-way p95", "", "%.0f ms", r -> pct(r.onewayMs, 95)));
        sb.append(row(rounds, "one-way bursts not heard", "", "%.0f", r -> r.onewayLost));
        sb.append("| **memory** (RSS / PSS) | | | ").append("| ".repeat(rounds.size())).append('\n');
        sb.append(memRow(rounds, "idle warm child, echo agent (WebRTC preloaded)", r -> r.echoChildRssKb, r -> r.echoChildPssKb));
        sb.append(memRow(rounds, "idle warm child, BenchAgent (no rooms)", r -> r.plainChildRssKb, r -> r.plainChildPssKb));
        sb.append(memRow(rounds, "child in a room, one participant, audio flowing", r -> r.roomChildRssKb, r -> r.roomChildPssKb));
        sb.append(memRow(rounds, "dev daemon idle, before any room", r -> r.devIdleRssKb, r -> r.devIdlePssKb));
        sb.append(memRow(rounds, "dev daemon idle, after the rooms", r -> r.devAfterRssKb, r -> r.devAfterPssKb));
        sb.append(memRow(rounds, "dev daemon after the first connect room (RSS only)",
                r -> r.devRssAfterRoomKb.isEmpty() ? 0 : r.devRssAfterRoomKb.get(0), r -> 0));
        sb.append(memRow(rounds, "dev daemon after the last connect room (RSS only)",
                r -> r.devRssAfterRoomKb.isEmpty() ? 0 : r.devRssAfterRoomKb.get(r.devRssAfterRoomKb.size() - 1), r -> 0));
        sb.append(row(rounds, "dev daemon RSS growth per connect room (least squares)", "", "%.0f KB",
                RoomRound::devRssSlopeKbPerRoom));
        for (int k : cpuRooms) {
            sb.append(memRow(rounds, "dev daemon with " + k + " echo room" + (k == 1 ? "" : "s"),
                    r -> r.withRoomsKb.containsKey(k) ? r.withRoomsKb.get(k)[0] : 0,
                    r -> r.withRoomsKb.containsKey(k) ? r.withRoomsKb.get(k)[1] : 0));
        }
        for (int k : cpuRooms) {
            sb.append(memRow(rounds, "largest child with " + k + " echo room" + (k == 1 ? "" : "s"),
                    r -> r.withRoomsKb.containsKey(k) ? r.withRoomsKb.get(k)[2] : 0,
                    r -> r.withRoomsKb.containsKey(k) ? r.withRoomsKb.get(k)[3] : 0));
        }
        sb.append("| **CPU** (% of one core over ").append(cpuSeconds).append(" s) | | | ")
                .append("| ".repeat(rounds.size())).append('\n');
        sb.append(row(rounds, "dev daemon idle, before any room", "", "%.1f %%", r -> r.devIdleFreshPct));
        sb.append(row(rounds, "dev daemon idle, after the rooms (baseline below)", "", "%.1f %%", r -> r.devIdleAfterPct));
        sb.append(row(rounds, "idle warm child (echo agent)", "", "%.1f %%", r -> r.idleChildPct));
        for (int k : cpuRooms) {
            sb.append(row(rounds, "dev daemon, " + k + " echo room" + (k == 1 ? "" : "s") + " (" + 2 * k + " forwarded tracks)", "",
                    "%.1f %%", r -> r.devPct.getOrDefault(k, Double.NaN)));
        }
        for (int k : cpuRooms) {
            sb.append(row(rounds, "dev daemon per forwarded track, " + k + " room" + (k == 1 ? "" : "s"), "", "%.2f %%",
                    r -> r.perTrackPct(k)));
        }
        for (int k : cpuRooms) {
            sb.append(row(rounds, "child per room (mean), " + k + " room" + (k == 1 ? "" : "s"), "", "%.1f %%",
                    r -> r.childPct.getOrDefault(k, Double.NaN)));
        }
        for (int k : cpuRooms) {
            sb.append(row(rounds, "benchmark JVM (" + k + " participant" + (k == 1 ? "" : "s") + ")", "", "%.1f %%",
                    r -> r.benchPct.getOrDefault(k, Double.NaN)));
        }
        for (int k : cpuRooms) {
            sb.append(row(rounds, "participant's playout, frames per second (" + k + " room" + (k == 1 ? "" : "s") + "; 100 = on time)",
                    "", "%.1f", r -> r.playoutFps.getOrDefault(k, Double.NaN)));
        }
        for (int k : cpuRooms) {
            sb.append(row(rounds, "echo frames below half the median level, per minute (" + k + " room" + (k == 1 ? "" : "s") + ")",
                    "", "%.0f", r -> r.echoDipsPerMinute.getOrDefault(k, Double.NaN)));
        }
        sb.append(row(rounds, "control, one-way continuous tone (no agent): playout frames per second", "", "%.1f",
                r -> r.onewayToneFps));
        sb.append(row(rounds, "control, one-way continuous tone: frames below half the median level, per minute", "", "%.0f",
                r -> r.onewayToneDipsPerMinute));
        for (int k : cpuRooms) {
            sb.append(row(rounds, "rooms still echoing at the end of the window, " + k, "", "%.0f",
                    r -> r.echoing.getOrDefault(k, -1)));
        }
        sb.append("\nLoad average (1/5/15 min) at the start of each phase:\n\n");
        for (int i = 0; i < rounds.size(); i++) {
            sb.append("* round ").append(i + 1).append(": ").append(String.join("; ", rounds.get(i).loads)).append('\n');
        }
        for (int i = 0; i < rounds.size(); i++) {
            for (String note : rounds.get(i).notes) {
                sb.append("* round ").append(i + 1).append(" note: ").append(note).append('\n');
            }
            if (!rounds.get(i).echoArchive || !rounds.get(i).plainArchive) {
                sb.append("* round ").append(i + 1).append(": class-data archive missing (echo ")
                        .append(rounds.get(i).echoArchive).append(", plain ").append(rounds.get(i).plainArchive)
                        .append("): idle-child memory is not comparable\n");
            }
        }
        sb.append("\nBusiest threads in each CPU window (% of one core; thread numbers folded into #):\n\n");
        for (int i = 0; i < rounds.size(); i++) {
            for (String t : rounds.get(i).threads) {
                sb.append("* round ").append(i + 1).append(", ").append(t).append('\n');
            }
        }
        sb.append("\nMethod: `sh bin/lk-worker dev --agent <jar> --dev-server-port <free> --health-port <free> --log-level warn "
                + "--run-dir <fresh per round>` as a subprocess (dev defaults otherwise: 1 warm child, load threshold inf); "
                + "participants are `RtcRoom` clients in the benchmark JVM on loopback. The agent "
                + "(`io.lkworker.bench.roomagent.EchoBenchAgent`) is `examples/echo-agent`'s audio path plus reports on data "
                + "topic `bench`. Rooms run one at a time, each on a settled pool (1 warm child, none starting, then 500 ms); "
                + "the room is deleted (RoomService.DeleteRoom) and its job's process has exited before the next. "
                + "Connect = `ctx.connect()` call → return in the child. Bursts (400 ms of 440 Hz at -10 dBFS peak, then 1 s "
                + "of silence, on a continuous silent track) start after the pool refilled and 1 s of silence; send time = "
                + "the audio pump took the burst's first 10 ms frame (the 20 ms microphone queue makes `captureFrame` of the "
                + "frame two later return then); heard = the participant's audio sink (playout thread), first 10 ms frame "
                + "above RMS 330 (≈ -40 dBFS) after a quieter one. The agent reports the time it polled the first loud frame "
                + "from its AudioStream, which splits the echo in two. CPU = utime+stime from /proc/PID/stat; per forwarded "
                + "track = (daemon with k rooms − daemon idle after the rooms) / 2k; the CPU rooms play a continuous tone "
                + "both ways. Memory: VmRSS and Pss (smaps_rollup) after 3 s of settling; children start from the class-data "
                + "archive (warm-up rooms first).\n");
        return sb.toString();
    }

    /** p50 / p95 of a list: the medians over rounds, then each round. */
    private static String pairRow(List<RoomRound> rounds, String what, java.util.function.Function<RoomRound, List<Double>> f) {
        StringBuilder sb = new StringBuilder("| ").append(what).append(" | | **")
                .append(format("%.0f", median(rounds, r -> pct(f.apply(r), 50)))).append(" / ")
                .append(format("%.0f ms", median(rounds, r -> pct(f.apply(r), 95)))).append("** |");
        for (RoomRound r : rounds) {
            sb.append(' ').append(format("%.0f", pct(f.apply(r), 50))).append(" / ")
                    .append(format("%.0f ms", pct(f.apply(r), 95))).append(" |");
        }
        return sb.append('\n').toString();
    }

    private static String memRow(List<RoomRound> rounds, String what, ToDoubleFunction<RoomRound> rssKb,
                                 ToDoubleFunction<RoomRound> pssKb) {
        StringBuilder sb = new StringBuilder("| ").append(what).append(" | | **")
                .append(format("%.1f", median(rounds, r -> mb((long) rssKb.applyAsDouble(r))))).append(" / ")
                .append(format("%.1f MB", median(rounds, r -> mb((long) pssKb.applyAsDouble(r))))).append("** |");
        for (RoomRound r : rounds) {
            sb.append(' ').append(format("%.1f", mb((long) rssKb.applyAsDouble(r)))).append(" / ")
                    .append(format("%.1f MB", mb((long) pssKb.applyAsDouble(r)))).append(" |");
        }
        return sb.append('\n').toString();
    }
}
