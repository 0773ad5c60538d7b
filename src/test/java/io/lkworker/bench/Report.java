package io.lkworker.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Renders {@link WorkerBenchmark}'s rounds as markdown: the medians over rounds against the targets, then every round. */
final class Report {

    private Report() {
    }

    /** Nearest-rank percentile. */
    static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.size());
        return v.get(Math.max(0, Math.min(v.size() - 1, rank - 1)));
    }

    private static double median(List<RoundResult> rounds, ToDoubleFunction<RoundResult> f) {
        return pct(rounds.stream().map(r -> f.applyAsDouble(r)).toList(), 50);
    }

    private static String row(List<RoundResult> rounds, String what, String target, String fmt,
                              ToDoubleFunction<RoundResult> f) {
        StringBuilder sb = new StringBuilder("| ").append(what).append(" | ").append(target).append(" | **")
                .append(String.format(fmt, median(rounds, f))).append("** |");
        for (RoundResult r : rounds) {
            sb.append(' ').append(String.format(fmt, f.applyAsDouble(r))).append(" |");
        }
        return sb.append('\n').toString();
    }

    static String render(List<RoundResult> rounds, String javaHome, String daemonOpts, int seq, int n) {
        StringBuilder sb = new StringBuilder();
        sb.append("## End-to-end results (WorkerBenchmark)\n\n")
                .append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, daemon and children on ").append(javaHome).append(" (")
                .append(System.getProperty("java.vm.version")).append(" for the benchmark)")
                .append(daemonOpts.isBlank() ? "" : ", JAVA_OPTS=`" + daemonOpts + "`").append("\n\n")
                .append("Command: `mvn -q -B -o test-compile && java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.WorkerBenchmark --rounds ")
                .append(n).append(" --seq ").append(seq).append("`\n\n");
        sb.append("| metric | target | median of rounds |");
        for (int i = 1; i <= rounds.size(); i++) {
            sb.append(" round ").append(i).append(" |");
        }
        sb.append("\n|---|---|---|").append("---|".repeat(rounds.size())).append('\n');
        sb.append(row(rounds, "availability request → answer p50 (server)", "≤ 3 ms", "%.2f ms", r -> pct(r.answerMs, 50)));
        sb.append(row(rounds, "availability request → answer p95 (server)", "", "%.2f ms", r -> pct(r.answerMs, 95)));
        sb.append(row(rounds, "assignment → JS_RUNNING received p50 (server)", "≤ 10 ms", "%.2f ms", r -> pct(r.runningMs, 50)));
        sb.append(row(rounds, "assignment → JS_RUNNING received p95 (server)", "", "%.2f ms", r -> pct(r.runningMs, 95)));
        sb.append(row(rounds, "entrypoint returned → final status received p50", "≤ 20 ms", "%.2f ms", r -> pct(r.endMs, 50)));
        sb.append(row(rounds, "entrypoint returned → final status received p95", "", "%.2f ms", r -> pct(r.endMs, 95)));
        sb.append(row(rounds, "offers refused while slots were free (default threshold, 20 offers)", "", "%.0f",
                r -> r.refusedWithFreeSlots));
        sb.append(row(rounds, "… of which other work alone was below the threshold (self-inflicted)", "0", "%.0f",
                r -> r.refusedSelfInflicted));
        sb.append(row(rounds, "daemon start → registered (3 idle)", "≤ 500 ms", "%.0f ms", r -> r.registerMs));
        sb.append(row(rounds, "daemon start → registered (0 idle)", "", "%.0f ms", r -> r.registerIdle0Ms));
        sb.append(row(rounds, "warm start p50 (" + seq + " sequential)", "≤ 2 ms", "%.2f ms", r -> pct(r.warmMs, 50)));
        sb.append(row(rounds, "warm start p95", "", "%.2f ms", r -> pct(r.warmMs, 95)));
        sb.append(row(rounds, "burst of 20: p50", "", "%.0f ms", r -> pct(r.burstMs, 50)));
        sb.append(row(rounds, "burst of 20: p95", "≤ 1500 ms", "%.0f ms", r -> pct(r.burstMs, 95)));
        sb.append(row(rounds, "burst of 20: refused", "0", "%.0f", r -> r.burstRefused));
        sb.append(row(rounds, "burst of 20: failed (no job process within its wait bound)", "0", "%.0f", r -> r.burstFailed));
        sb.append(row(rounds, "cold start p50 (0 idle, 7 jobs)", "≤ 300 ms", "%.0f ms", r -> pct(r.coldMs, 50)));
        sb.append(row(rounds, "cold start max", "", "%.0f ms", r -> pct(r.coldMs, 100)));
        sb.append(row(rounds, "idle child RSS (largest of 3)", "≤ 40 MB", "%.1f MB",
                r -> r.childRssKb.stream().mapToLong(Long::longValue).max().orElse(0) / 1024.0));
        sb.append(row(rounds, "idle child RSS (smallest of 3)", "", "%.1f MB",
                r -> r.childRssKb.stream().mapToLong(Long::longValue).min().orElse(0) / 1024.0));
        sb.append(row(rounds, "daemon RSS", "≤ 60 MB", "%.1f MB", r -> r.daemonRssKb / 1024.0));
        sb.append(row(rounds, "whole tree RSS (daemon + 3 idle)", "", "%.1f MB", r -> r.treeRssKb / 1024.0));
        sb.append(row(rounds, "idle child PSS (largest of 3)", "", "%.1f MB",
                r -> r.childPssKb.stream().mapToLong(Long::longValue).max().orElse(0) / 1024.0));
        sb.append(row(rounds, "daemon PSS", "", "%.1f MB", r -> r.daemonPssKb / 1024.0));
        sb.append(row(rounds, "whole tree PSS (daemon + 3 idle)", "", "%.1f MB", r -> r.treePssKb / 1024.0));
        sb.append("\nLoad average (1/5/15 min) before / before the burst / after each round: ");
        for (RoundResult r : rounds) {
            sb.append("[").append(r.loadBefore).append(" / ").append(r.loadDuring).append(" / ").append(r.loadAfter).append("] ");
        }
        sb.append("\n\nRefusals per round (reason): ");
        for (RoundResult r : rounds) {
            sb.append(r.refusals).append(' ');
        }
        sb.append("\n\nServer: src/test/js/agent-server.mjs (LiveKit's protocol classes on Node's ws, TCP_NODELAY on its side). "
                + "Answer and JS_RUNNING times are the server's monotonic durations from writing the request or the assignment "
                + "to reading the worker's frame; assigned = the server wrote the JobAssignment; "
                + "entered / returned = Instant.now() first / last thing in the agent's entrypoint; final status = the server read "
                + "JS_SUCCESS (epoch clocks of two processes on one machine). Refusals: a third daemon at the default "
                + "--load-threshold (0.7), the server applying the real target load 0.7, 10 offers 300 ms apart and 5 pairs; "
                + "the worker never runs more than 2 jobs and has no --max-jobs, so every refusal happened with free slots; "
                + "'others' is the machine's CPU use without the worker's processes (/proc/stat minus the daemon's and its "
                + "children's ticks, 2.5 s average; the benchmark and its server count as other work) when the offer was made: at or above 0.7 the refusal is the machine's other work. Warm jobs run one at a time on a full, "
                + "settled pool (3 idle children, then 500 ms); burst = 20 offers at once on such a pool; cold = a daemon "
                + "with --num-idle-processes 0. RSS = VmRSS from /proc after the pool has been warm for 3 s; "
                + "tree = daemon + all its descendants. "
                + "RSS counts every shared page (libjvm, the CDS archive, the JDK's modules file) in each process that maps it; "
                + "PSS (Pss from /proc/PID/smaps_rollup, sampled right after RSS) divides shared pages among their mappers, "
                + "so the tree's PSS counts each page once and is the fairer figure for the whole tree.\n");
        return sb.toString();
    }

}
