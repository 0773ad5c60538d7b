package io.lkworker.health;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.lkworker.worker.JobUsage;
import io.lkworker.worker.WorkerSnapshot;
import java.time.Instant;

/**
 * {@code GET /worker}: the snapshot as JSON. Every field is always present, zero or empty included —
 * unlike the Python worker's protobuf JSON, which drops defaults and so makes {@code job_count: 0}
 * indistinguishable from "field not supported" for a scraper. A job's figure that is not known
 * (not sampled yet, not measurable by the executor, no room joined) is {@code null}, never 0.
 */
final class WorkerJson {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private WorkerJson() {
    }

    static String render(WorkerSnapshot s) {
        return render(s, System.currentTimeMillis());
    }

    /** {@code nowMillis} (Unix ms) gives each job's age. */
    static String render(WorkerSnapshot s, long nowMillis) {
        JsonObject o = new JsonObject();
        o.addProperty("agent_name", nz(s.agentName()));
        o.addProperty("worker_id", nz(s.workerId()));
        o.addProperty("worker_type", nz(s.workerType()));
        o.addProperty("state", nz(s.state()));
        o.addProperty("healthy", s.healthy());
        o.addProperty("failure", nz(s.failure()));
        o.addProperty("load", s.load());
        o.addProperty("available", s.available());
        o.addProperty("availability", nz(s.availability()));
        o.addProperty("job_count", s.jobCount());
        JsonArray jobs = new JsonArray();
        for (WorkerSnapshot.JobSnapshot j : s.jobs()) {
            JsonObject job = new JsonObject();
            job.addProperty("id", nz(j.id()));
            job.addProperty("room", nz(j.room()));
            job.addProperty("participant_identity", nz(j.participantIdentity()));
            // Instant.toString is ISO-8601 in UTC ("2025-01-02T03:04:05.678Z")
            job.addProperty("started_at", Instant.ofEpochMilli(j.startedAtMillis()).toString());
            job.addProperty("pid", j.pid());
            job.addProperty("running", j.running());
            job.addProperty("age_seconds", Math.max(0, (nowMillis - j.startedAtMillis()) / 1000));
            JobUsage u = j.usage();
            // one decimal is what a person reads; more would suggest a precision the 2 s samples do not have
            job.addProperty("cpu_percent", u.cpuPercent() == null ? null : Math.round(u.cpuPercent() * 10) / 10.0);
            job.addProperty("rss_bytes", u.rssBytes());
            job.addProperty("pss_bytes", u.pssBytes());
            job.addProperty("participants", u.participants());
            job.addProperty("tracks", u.tracks());
            jobs.add(job);
        }
        o.add("jobs", jobs);
        o.addProperty("idle_processes", s.idleProcesses());
        o.addProperty("starting_processes", s.startingProcesses());
        o.addProperty("job_processes", s.jobProcesses());
        o.addProperty("reconnects", s.reconnects());
        o.addProperty("version", nz(s.version()));
        o.addProperty("protocol_version", s.protocolVersion());
        return GSON.toJson(o) + "\n";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
