package io.lkworker.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the {@code /worker} JSON for people: the worker as aligned "name  value" lines, then a
 * table of its jobs. Fields a daemon does not send show as "-" (an older or newer daemon still
 * gets a readable answer).
 */
final class WorkerStatusView {

    private WorkerStatusView() {
    }

    static String render(JsonObject w) {
        return render(w, System.currentTimeMillis());
    }

    /** {@code nowMillis} (Unix ms) gives a job's age when the daemon does not send {@code age_seconds}. */
    static String render(JsonObject w, long nowMillis) {
        StringBuilder sb = new StringBuilder();
        List<String[]> rows = new ArrayList<>();
        rows.add(row("worker id", text(w, "worker_id", "(not registered)")));
        rows.add(row("agent name", text(w, "agent_name", "(automatic dispatch)")));
        rows.add(row("type", text(w, "worker_type", "-")));
        String state = text(w, "state", "-");
        if (w.has("healthy") && !w.get("healthy").getAsBoolean()) {
            state += " (unhealthy: " + text(w, "failure", "failed") + ")";
        }
        rows.add(row("state", state));
        rows.add(row("load", w.has("load") ? String.format(Locale.ROOT, "%.2f", w.get("load").getAsDouble()) : "-"));
        if (w.has("available")) {
            String why = text(w, "availability", "");
            rows.add(row("available", (w.get("available").getAsBoolean() ? "yes" : "no") + (why.isEmpty() ? "" : " (" + why + ")")));
        }
        rows.add(row("processes", text(w, "idle_processes", "-") + " idle, "
                + text(w, "starting_processes", "-") + " starting"));
        rows.add(row("version", text(w, "version", "-") + " (protocol " + text(w, "protocol_version", "-") + ")"));
        sb.append(table(rows));

        List<JsonObject> jobs = jobs(w);
        sb.append('\n');
        if (jobs.isEmpty()) {
            sb.append("no jobs running\n");
            return sb.toString();
        }
        List<String[]> table = new ArrayList<>();
        table.add(row("JOB", "ROOM", "PID", "AGE", "CPU%", "RSS", "PSS", "PARTICIPANTS", "TRACKS", "STATE"));
        for (JsonObject job : jobs) {
            table.add(row(text(job, "id", "-"), text(job, "room", "-"), text(job, "pid", "-"),
                    UsageFormat.age(job, nowMillis),
                    UsageFormat.percent(number(job, "cpu_percent")),
                    UsageFormat.bytes(number(job, "rss_bytes")), UsageFormat.bytes(number(job, "pss_bytes")),
                    text(job, "participants", "-"), text(job, "tracks", "-"),
                    job.has("running") ? (job.get("running").getAsBoolean() ? "running" : "starting") : "-"));
        }
        sb.append(table(table));
        return sb.toString();
    }

    /** The jobs of a worker JSON, in the daemon's order. */
    static List<JsonObject> jobs(JsonObject w) {
        List<JsonObject> jobs = new ArrayList<>();
        JsonElement array = w.get("jobs");
        if (array instanceof JsonArray a) {
            for (JsonElement e : a) {
                if (e.isJsonObject()) {
                    jobs.add(e.getAsJsonObject());
                }
            }
        }
        return jobs;
    }

    /** {@code 2 jobs running (AJ_x in room a, AJ_y in room b)}. */
    static String jobSummary(JsonObject w) {
        List<JsonObject> jobs = jobs(w);
        if (jobs.isEmpty()) {
            return "no jobs running";
        }
        List<String> each = new ArrayList<>();
        for (JsonObject job : jobs) {
            each.add(text(job, "id", "?") + " in room " + text(job, "room", "?"));
        }
        return jobs.size() + (jobs.size() == 1 ? " job" : " jobs") + " running (" + String.join(", ", each) + ")";
    }

    /** A numeric field, or null when absent, null or not a number. */
    static Double number(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        return e.getAsDouble();
    }

    static String text(JsonObject o, String field, String absent) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        String s = e.isJsonPrimitive() ? e.getAsString() : e.toString();
        return s.isEmpty() ? absent : s;
    }

    private static String[] row(String... cells) {
        return cells;
    }

    /** Left-aligned columns two spaces apart; trailing blanks trimmed. */
    private static String table(List<String[]> rows) {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]).append(" ".repeat(widths[i] - r[i].length() + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
