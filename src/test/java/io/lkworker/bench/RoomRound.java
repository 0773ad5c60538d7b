package io.lkworker.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One round of {@link RoomBenchmark}: times in ms, memory in KB, CPU in % of one core. */
final class RoomRound {

    /** "phase: 1-min 5-min 15-min" load averages, in the order sampled. */
    final List<String> loads = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** Busiest threads per CPU window. */
    final List<String> threads = new ArrayList<>();

    // the first room after the daemon started (its children had no class-data archive yet, the
    // daemon's WebRTC engine is created by this room)
    double firstAgentConnectMs = Double.NaN;
    double firstJoinToTrackMs = Double.NaN;
    double firstParticipantConnectMs = Double.NaN;

    // connect phase: one value per room
    final List<Double> agentConnectMs = new ArrayList<>();
    final List<Double> participantConnectMs = new ArrayList<>();
    final List<Double> joinToTrackMs = new ArrayList<>();
    final List<Double> calledToEnteredMs = new ArrayList<>();
    final List<Double> enteredToConnectCalledMs = new ArrayList<>();
    final List<Double> connectToPublishedMs = new ArrayList<>();
    final List<Double> publishedToSubscribedMs = new ArrayList<>();
    int connectFailures;

    // echo: one value per burst
    final List<Double> echoMs = new ArrayList<>();
    /** Echo delays by the burst's position in its room (0 = first), for rooms where every burst was heard. */
    final List<List<Double>> echoByIndexMs = new ArrayList<>();
    final List<Double> upMs = new ArrayList<>();
    final List<Double> downMs = new ArrayList<>();
    final List<Double> agentQueueMs = new ArrayList<>();
    int burstsSent;
    int burstsLost;
    final List<Double> onewayMs = new ArrayList<>();
    int onewaySent;
    int onewayLost;

    /** The daemon's RSS after each connect room (its job's process has exited). */
    final List<Long> devRssAfterRoomKb = new ArrayList<>();
    final List<Integer> devThreadsAfterRoom = new ArrayList<>();

    // memory (KB)
    long devIdleRssKb;
    long devIdlePssKb;
    long devAfterRssKb;
    long devAfterPssKb;
    long echoChildRssKb;
    long echoChildPssKb;
    long plainChildRssKb;
    long plainChildPssKb;
    long roomChildRssKb;
    long roomChildPssKb;
    boolean echoArchive;
    boolean plainArchive;
    /** rooms → {dev RSS, dev PSS, largest child RSS, largest child PSS} (KB). */
    final Map<Integer, long[]> withRoomsKb = new LinkedHashMap<>();

    // CPU (% of one core)
    double devIdleFreshPct = Double.NaN;
    double devIdleAfterPct = Double.NaN;
    double idleChildPct = Double.NaN;
    final Map<Integer, Double> devPct = new LinkedHashMap<>();
    final Map<Integer, Double> childPct = new LinkedHashMap<>();
    final Map<Integer, Double> benchPct = new LinkedHashMap<>();
    /** rooms → frames per second the participants' playout delivered during the CPU window (mean). */
    final Map<Integer, Double> playoutFps = new LinkedHashMap<>();
    /** rooms → echo frames below half the median level per minute, per participant (mean). */
    final Map<Integer, Double> echoDipsPerMinute = new LinkedHashMap<>();
    /** Control: a continuous tone one way, participant → server → participant. */
    double onewayToneFps = Double.NaN;
    double onewayToneDipsPerMinute = Double.NaN;
    /** rooms → rooms still echoing at the end of the CPU window. */
    final Map<Integer, Integer> echoing = new LinkedHashMap<>();

    /** Least-squares slope of the daemon's RSS over the connect rooms, KB per room. */
    double devRssSlopeKbPerRoom() {
        int n = devRssAfterRoomKb.size();
        if (n < 3) {
            return Double.NaN;
        }
        double mx = (n - 1) / 2.0;
        double my = devRssAfterRoomKb.stream().mapToLong(Long::longValue).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (i - mx) * (devRssAfterRoomKb.get(i) - my);
            den += (i - mx) * (i - mx);
        }
        return num / den;
    }

    double perTrackPct(int rooms) {
        Double dev = devPct.get(rooms);
        return dev == null ? Double.NaN : (dev - devIdleAfterPct) / (2.0 * rooms);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "agent connect p50 %.0f ms p95 %.0f ms; joined→agent track p50 %.0f ms; echo p50 %.0f p95 %.0f ms "
                        + "(%d/%d heard); one-way p50 %.0f ms; dev CPU %s; loads %s",
                RoomReport.pct(agentConnectMs, 50), RoomReport.pct(agentConnectMs, 95), RoomReport.pct(joinToTrackMs, 50),
                RoomReport.pct(echoMs, 50), RoomReport.pct(echoMs, 95), burstsSent - burstsLost, burstsSent,
                RoomReport.pct(onewayMs, 50), devPct, loads);
    }
}
