package io.lkworker.bench;

import java.util.ArrayList;
import java.util.List;

/** What one round of {@link WorkerBenchmark} measured. Times in ms, memory in KB. */
final class RoundResult {
    String loadBefore;
    String loadDuring;
    String loadAfter;
    double registerMs;
    double registerIdle0Ms;
    long daemonRssKb;
    final List<Long> childRssKb = new ArrayList<>();
    long treeRssKb;
    long daemonPssKb;
    final List<Long> childPssKb = new ArrayList<>();
    long treePssKb;
    int treeProcesses;
    final List<Double> warmMs = new ArrayList<>();
    final List<Double> burstMs = new ArrayList<>();
    final List<Double> burstOfferMs = new ArrayList<>();
    final List<Double> coldMs = new ArrayList<>();
    /** Server side, sequential warm jobs: AvailabilityRequest sent → answer received. */
    final List<Double> answerMs = new ArrayList<>();
    /** Server side: JobAssignment sent → JS_RUNNING received. */
    final List<Double> runningMs = new ArrayList<>();
    /** Entrypoint returned (agent's clock) → final status received (server's clock). */
    final List<Double> endMs = new ArrayList<>();
    int burstRefused;
    int burstFailed;
    int defaultOffers;
    int refusedWithFreeSlots;
    /** Refusals while other work on the machine used less than the threshold (0.7) by itself. */
    int refusedSelfInflicted;
    final List<String> refusals = new ArrayList<>();

    @Override
    public String toString() {
        return String.format("answer p50 %.2f p95 %.2f, JS_RUNNING p50 %.2f, end p50 %.2f p95 %.2f, refused %d of %d (self-inflicted %d) %s, burst refused %d failed %d, ",
                Report.pct(answerMs, 50), Report.pct(answerMs, 95), Report.pct(runningMs, 50), Report.pct(endMs, 50),
                Report.pct(endMs, 95), refusedWithFreeSlots, defaultOffers, refusedSelfInflicted, refusals, burstRefused, burstFailed)
                + String.format("register %.0f ms (idle 0: %.0f ms), warm p50 %.2f p95 %.2f, burst p50 %.0f p95 %.0f,"
                        + " cold p50 %.0f, daemon %s, children %s, tree %s (%d processes), PSS daemon %s children %s tree %s, load %s / %s / %s",
                registerMs, registerIdle0Ms, Report.pct(warmMs, 50), Report.pct(warmMs, 95), Report.pct(burstMs, 50),
                Report.pct(burstMs, 95), Report.pct(coldMs, 50), ProcMemory.mb(daemonRssKb),
                childRssKb.stream().map(ProcMemory::mb).toList(), ProcMemory.mb(treeRssKb), treeProcesses,
                ProcMemory.mb(daemonPssKb), childPssKb.stream().map(ProcMemory::mb).toList(), ProcMemory.mb(treePssKb),
                loadBefore, loadDuring, loadAfter);
    }
}
