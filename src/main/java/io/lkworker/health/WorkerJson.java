package io.lkworker.health;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.lkworker.worker.WorkerSnapshot;
import java.time.Instant;

/**
 * {@code GET /worker}: the snapshot as JSON. Every field is always present, zero or empty included —
 * unlike the Python worker's protobuf JSON, which drops defaults and so makes {@code job_count: 0}
 * indistinguishable from "field not supported" for a scraper.
 */
final class WorkerJson {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private WorkerJson() {
    }

    static String render(WorkerSnapshot s) {
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
            jobs.add(job);
        }
        o.add("jobs", jobs);
        o.addProperty("idle_processes", s.idleProcesses());
        o.addProperty("starting_processes", s.startingProcesses());
        o.addProperty("reconnects", s.reconnects());
        o.addProperty("version", nz(s.version()));
        o.addProperty("protocol_version", s.protocolVersion());
        return GSON.toJson(o) + "\n";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
