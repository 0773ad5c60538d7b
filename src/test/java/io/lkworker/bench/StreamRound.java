package io.lkworker.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** What one round of {@link WorkerBenchmark}'s stream mode measured (server's view), and its markdown. Times in ms. */
final class StreamRound {

    /** One phase: 20 back-to-back jobs with a plain return ("hold"), with {@code ctx.shutdown} ("shut"), or a burst. */
    static final class Phase {
        final String name;
        String load;
        /** assigned (server) → entered (agent). */
        final List<Double> entryMs = new ArrayList<>();
        /** assignment sent → JS_RUNNING received (server's durations). */
        final List<Double> runningMs = new ArrayList<>();
        /** returned (agent, before ctx.shutdown if it calls it) → final status received (server). */
        final List<Double> endMs = new ArrayList<>();
        /** availability request → answer (server). */
        final List<Double> answerMs = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        int failed;
        double cpuPerJob;
        /** The daemon's own part of {@link #cpuPerJob}. */
        double daemonCpuPerJob;

        Phase(String name) {
            this.name = name;
        }

        void record(String id, NodeAgentServer.JobView v, BenchEvents events) {
            if (v.answerMs >= 0) {
                answerMs.add(v.answerMs);
            }
            if (v.refused != null) {
                refused.add(v.refused);
                return;
            }
            Long entered = events.enteredAt.get(id);
            Long returned = events.returnedAt.get(id);
            if (!"JS_SUCCESS".equals(v.endStatus) || entered == null || returned == null) {
                failed++;
                return;
            }
            entryMs.add((entered - v.assignedAt) / 1e6);
            if (v.runningMs >= 0) {
                runningMs.add(v.runningMs);
            }
            endMs.add((v.endedAt - returned) / 1e6);
        }

        @Override
        public String toString() {
            return String.format("%s: entry p50 %.1f p95 %.1f max %.1f, JS_RUNNING p50 %.1f, end p50 %.1f p95 %.1f,"
                            + " answer p50 %.1f, refused %s, failed %d, CPU %.3f s/job (daemon %.3f), load %s",
                    name, Report.pct(entryMs, 50), Report.pct(entryMs, 95), Report.pct(entryMs, 100),
                    Report.pct(runningMs, 50), Report.pct(endMs, 50), Report.pct(endMs, 95),
                    Report.pct(answerMs, 50), refused, failed, cpuPerJob, daemonCpuPerJob, load);
        }
    }

    String loadBefore;
    String loadAfter;
    double registerMs;
    /** Jobs that found no warm process ({@code no warm process for job …} in the daemon's log, info level). */
    int noWarm = -1;
    final Map<String, Phase> phases = new LinkedHashMap<>();

    Phase phase(String name) {
        return phases.computeIfAbsent(name, Phase::new);
    }

    @Override
    public String toString() {
        return "register " + Math.round(registerMs) + " ms, no warm process " + noWarm + ", "
                + phases.values() + ", load " + loadBefore + " / " + loadAfter;
    }

    private static String row(List<StreamRound> rounds, String what, String target, String fmt, ToDoubleFunction<StreamRound> f) {
        List<Double> values = rounds.stream().map(f::applyAsDouble).toList();
        StringBuilder sb = new StringBuilder("| ").append(what).append(" | ").append(target).append(" | **")
                .append(String.format(fmt, Report.pct(values, 50))).append("** |");
        for (double v : values) {
            sb.append(' ').append(String.format(fmt, v)).append(" |");
        }
        return sb.append('\n').toString();
    }

    static String render(List<StreamRound> rounds, String javaHome, String daemonOpts, String threshold, int idle, long gapMs, int n) {
        StringBuilder sb = new StringBuilder("## Stream mode (WorkerBenchmark --mode stream)\n\n")
                .append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, daemon and children on ").append(javaHome)
                .append(daemonOpts.isBlank() ? "" : ", JAVA_OPTS=`" + daemonOpts + "`").append(", --load-threshold ")
                .append(threshold).append(", --num-idle-processes ").append(idle)
                .append(gapMs > 0 ? ", stream paced: next offer " + gapMs + " ms after the final status" : "").append("\n\n")
                .append("Command: `java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.WorkerBenchmark --mode stream --rounds ")
                .append(n).append(" --stream-threshold ").append(threshold).append(" --stream-idle ").append(idle)
                .append(gapMs > 0 ? " --stream-gap-ms " + gapMs : "").append("`\n\n");
        sb.append("| metric (server's view) | target | median of rounds |");
        for (int i = 1; i <= rounds.size(); i++) {
            sb.append(" round ").append(i).append(" |");
        }
        sb.append("\n|---|---|---|").append("---|".repeat(rounds.size())).append('\n');
        for (String p : List.of("hold", "shut", "burst")) {
            String label = switch (p) {
                case "hold" -> "stream, return";
                case "shut" -> "stream, ctx.shutdown";
                default -> "burst of 20";
            };
            boolean stream = !p.equals("burst");
            sb.append(row(rounds, label + ": assignment → entrypoint p50", stream ? "≤ 10 ms" : "", "%.1f ms",
                    r -> Report.pct(r.phase(p).entryMs, 50)));
            sb.append(row(rounds, label + ": assignment → entrypoint p95", stream ? "≤ 50 ms" : "≤ 1500 ms", "%.1f ms",
                    r -> Report.pct(r.phase(p).entryMs, 95)));
            sb.append(row(rounds, label + ": assignment → JS_RUNNING p50", stream ? "≤ 15 ms" : "", "%.1f ms",
                    r -> Report.pct(r.phase(p).runningMs, 50)));
            sb.append(row(rounds, label + ": entrypoint ended → final status p50", "≤ 20 ms", "%.1f ms",
                    r -> Report.pct(r.phase(p).endMs, 50)));
            sb.append(row(rounds, label + ": availability answer p50", "", "%.1f ms",
                    r -> Report.pct(r.phase(p).answerMs, 50)));
            sb.append(row(rounds, label + ": offers declined or refused (of 20)", "0", "%.0f",
                    r -> r.phase(p).refused.size()));
            sb.append(row(rounds, label + ": jobs failed", "0", "%.0f", r -> r.phase(p).failed));
            sb.append(row(rounds, label + ": CPU-s of the process tree per job", "", "%.3f",
                    r -> r.phase(p).cpuPerJob));
            sb.append(row(rounds, label + ": … of which the daemon's own", "", "%.3f",
                    r -> r.phase(p).daemonCpuPerJob));
        }
        sb.append(row(rounds, "jobs that found no warm process (all phases)", "", "%.0f", r -> r.noWarm));
        sb.append(row(rounds, "daemon start → registered", "≤ 500 ms", "%.0f ms", r -> r.registerMs));
        sb.append("\nLoad average (1/5/15 min) per round, before / each phase / after:");
        for (StreamRound r : rounds) {
            sb.append(" [").append(r.loadBefore);
            for (Phase ph : r.phases.values()) {
                sb.append(" / ").append(ph.load);
            }
            sb.append(" / ").append(r.loadAfter).append(']');
        }
        sb.append("\n\nRefusals per round:");
        for (StreamRound r : rounds) {
            List<String> all = new ArrayList<>();
            r.phases.values().forEach(ph -> ph.refused.forEach(x -> all.add(ph.name + ": " + x)));
            sb.append(' ').append(all);
        }
        sb.append("\n\nEach stream job is offered when the server has read the previous one's final status; the agent"
                + " (BenchAgent, rooms hold-*/shut-*) holds 100 ms, stamps \"returned\", and in shut-* rooms then calls"
                + " ctx.shutdown. No waiting for idle children: after start-up (3 idle, the class-data archive written)"
                + " the jobs come as fast as they end. The burst offers 20 at once right after the streams."
                + " CPU: utime+stime of the daemon, its live descendants and the children it reaped, per job of the phase"
                + " (includes the pool's refill).\n");
        return sb.toString();
    }
}
