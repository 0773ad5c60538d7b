package io.lkworker.tracing;

/**
 * The names of the attributes on job spans (docs/tracing.md lists them). Plain strings, so the
 * code that knows the values needs no OpenTelemetry type.
 */
public final class JobAttributes {

    public static final String JOB_ID = "lk.job.id";
    public static final String ROOM = "lk.room.name";
    public static final String AGENT_NAME = "lk.agent.name";
    public static final String WORKER_ID = "lk.worker.id";
    public static final String DISPATCH_ID = "lk.dispatch.id";
    public static final String IDENTITY = "lk.participant.identity";
    /** accepted, rejected or declined (the worker's own answer: capacity, draining, no decision in time) */
    public static final String DECISION = "lk.decision";
    public static final String DECISION_REASON = "lk.decision.reason";
    /** warm (the process was ready when the job came) or cold (started for it) */
    public static final String PROCESS_START = "lk.process.start";
    /** OpenTelemetry's semantic-convention name for a process id */
    public static final String PID = "process.pid";
    /** succeeded, failed or declined */
    public static final String JOB_STATUS = "lk.job.status";
    public static final String END_REASON = "lk.job.end_reason";
    /** A resource attribute: daemon or job, which of lk-worker's processes sent the span. */
    public static final String PROCESS_ROLE = "lk.worker.process";

    private JobAttributes() {
    }
}
