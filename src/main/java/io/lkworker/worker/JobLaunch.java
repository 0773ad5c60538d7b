package io.lkworker.worker;

import livekit.LivekitAgent;

/**
 * What an executor needs to start a job.
 *
 * @param job the job as the server offered it
 * @param url the URL the job should join (assignment URL, else the worker's)
 * @param token the room token from the assignment (secret: never logged, never on a command line)
 * @param workerId the id of the worker connection that accepted it
 * @param accept how the agent accepted: identity, name, metadata, attributes
 * @param traceContext the W3C trace-context headers of the job's trace, for its process; empty when not traced
 */
public record JobLaunch(LivekitAgent.Job job, String url, String token, String workerId, AcceptArguments accept,
                        java.util.Map<String, String> traceContext) {

    public JobLaunch {
        traceContext = traceContext == null ? java.util.Map.of() : java.util.Map.copyOf(traceContext);
    }

    /** A launch outside any trace. */
    public JobLaunch(LivekitAgent.Job job, String url, String token, String workerId, AcceptArguments accept) {
        this(job, url, token, workerId, accept, java.util.Map.of());
    }

    public String jobId() {
        return job.getId();
    }

    public String roomName() {
        return job.getRoom().getName();
    }

    @Override
    public String toString() {
        return "JobLaunch[job=" + job.getId() + ", room=" + roomName() + ", url=" + url + ", token=<redacted>"
                + ", workerId=" + workerId + ", accept=" + accept + "]";
    }
}
