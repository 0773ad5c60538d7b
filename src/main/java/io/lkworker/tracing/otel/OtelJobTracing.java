package io.lkworker.tracing.otel;

import io.lkworker.tracing.JobAttributes;
import io.lkworker.worker.JobTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's job traces on the OpenTelemetry SDK: one trace per job, its root span {@code job}
 * from the offer to the end, and a child span for each phase (docs/tracing.md, "Spans"):
 * {@code job.decision} (offer to answer), {@code job.assignment} (accept to assignment),
 * {@code job.launch} (assignment to running: which process, warm or cold), {@code job.running}
 * (running to end). The job process's spans continue the trace under the root span.
 *
 * <p>Loaded by name ({@link io.lkworker.tracing.Tracing}) only when tracing is on. Loop thread only,
 * like every {@link io.lkworker.worker.JobLifecycleListener}; spans are timed with the loop's clock
 * (the event's wall time).
 */
public final class OtelJobTracing implements JobTracing {

    /**
     * Traces of jobs between offer and end. Bounded: a job whose end never comes (a bug) must not grow
     * the daemon for ever; past this many the oldest is ended as abandoned. Far above any worker's
     * concurrent jobs (--max-jobs) plus its undecided offers.
     */
    static final int MAX_OPEN_TRACES = 10_000;

    /** One job's open spans; {@code phase} is the phase span currently open, or null. */
    private static final class JobTrace {
        final Span root;
        Span phase;
        String phaseName;

        JobTrace(Span root) {
            this.root = root;
        }
    }

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final Map<String, JobTrace> open = new LinkedHashMap<>();

    public OtelJobTracing() {
        this.sdk = OtelSdk.create("daemon", false);
        this.tracer = sdk.getTracer("io.lkworker.worker");
    }

    @Override
    public void onJobEvent(Event e) {
        Details d = e.details();
        switch (e.stage()) {
            case OFFERED -> offered(e, d);
            case ACCEPTED -> {
                JobTrace t = inPhase(e.jobId(), "job.decision");
                if (t != null) {
                    t.phase.setAttribute(JobAttributes.DECISION, "accepted");
                    t.phase.setAttribute(JobAttributes.DECISION_REASON, d.reason());
                    t.phase.setAttribute(JobAttributes.IDENTITY, d.identity());
                    t.root.setAttribute(JobAttributes.IDENTITY, d.identity());
                    next(t, "job.assignment", e.wallMillis());
                }
            }
            case DECLINED -> {
                JobTrace t = inPhase(e.jobId(), "job.decision");
                if (t != null) {
                    boolean byAgent = d.reason().startsWith("the agent rejected");
                    t.phase.setAttribute(JobAttributes.DECISION, byAgent ? "rejected" : "declined");
                    t.phase.setAttribute(JobAttributes.DECISION_REASON, d.reason());
                    finish(e.jobId(), t, "declined", d.reason(), false, e.wallMillis());
                }
            }
            case ASSIGNED -> {
                JobTrace t = open.get(e.jobId());
                if (t != null) {
                    if (!d.workerId().isEmpty()) {
                        t.root.setAttribute(JobAttributes.WORKER_ID, d.workerId());
                    }
                    next(t, "job.launch", e.wallMillis());
                }
            }
            case RUNNING -> {
                JobTrace t = inPhase(e.jobId(), "job.launch");
                if (t != null) {
                    t.phase.setAttribute(JobAttributes.PID, d.pid());
                    if (d.warm() != null) {
                        t.phase.setAttribute(JobAttributes.PROCESS_START, d.warm() ? "warm" : "cold");
                    }
                    next(t, "job.running", e.wallMillis());
                    t.phase.setAttribute(JobAttributes.PID, d.pid());
                }
            }
            case RESTARTING -> {
                JobTrace t = open.get(e.jobId());
                if (t != null) {
                    if (t.phase != null) {
                        t.phase.setAttribute(JobAttributes.END_REASON, "restarting: " + e.detail());
                    }
                    next(t, "job.launch", e.wallMillis());
                    t.phase.setAttribute("lk.restart", true);
                }
            }
            case ENDED -> {
                JobTrace t = open.get(e.jobId());
                if (t != null) {
                    boolean ok = Boolean.TRUE.equals(d.succeeded());
                    finish(e.jobId(), t, ok ? "succeeded" : "failed", d.reason(), !ok, e.wallMillis());
                }
            }
            default -> { }
        }
    }

    private void offered(Event e, Details d) {
        if (open.containsKey(e.jobId())) {
            return; // a duplicate offer of a job already traced (the worker declines it): not a new trace
        }
        if (open.size() >= MAX_OPEN_TRACES) {
            var oldest = open.entrySet().iterator().next();
            finish(oldest.getKey(), oldest.getValue(), "abandoned", "no end heard", true, e.wallMillis());
        }
        Span root = tracer.spanBuilder("job").setNoParent().setStartTimestamp(e.wallMillis(), TimeUnit.MILLISECONDS)
                .setAttribute(JobAttributes.JOB_ID, e.jobId())
                .setAttribute(JobAttributes.ROOM, e.room())
                .setAttribute(JobAttributes.AGENT_NAME, d.agentName())
                .setAttribute(JobAttributes.DISPATCH_ID, d.dispatchId())
                .setAttribute(JobAttributes.WORKER_ID, d.workerId())
                .startSpan();
        JobTrace t = new JobTrace(root);
        open.put(e.jobId(), t);
        next(t, "job.decision", e.wallMillis());
    }

    /** The job's trace if its open phase is {@code phase}. */
    private JobTrace inPhase(String jobId, String phase) {
        JobTrace t = open.get(jobId);
        return t != null && phase.equals(t.phaseName) ? t : null;
    }

    /** Ends the open phase span (if any) and opens {@code name}. */
    private void next(JobTrace t, String name, long wallMillis) {
        if (t.phase != null) {
            t.phase.end(wallMillis, TimeUnit.MILLISECONDS);
        }
        t.phase = tracer.spanBuilder(name).setParent(Context.root().with(t.root))
                .setStartTimestamp(wallMillis, TimeUnit.MILLISECONDS).startSpan();
        t.phaseName = name;
    }

    private void finish(String jobId, JobTrace t, String status, String reason, boolean error, long wallMillis) {
        if (t.phase != null) {
            if (error) {
                t.phase.setStatus(StatusCode.ERROR, reason);
            }
            t.phase.end(wallMillis, TimeUnit.MILLISECONDS);
        }
        t.root.setAttribute(JobAttributes.JOB_STATUS, status);
        if (!reason.isEmpty()) {
            t.root.setAttribute(JobAttributes.END_REASON, reason);
        }
        if (error) {
            t.root.setStatus(StatusCode.ERROR, reason);
        }
        t.root.end(wallMillis, TimeUnit.MILLISECONDS);
        open.remove(jobId);
    }

    @Override
    public Map<String, String> traceContext(String jobId) {
        JobTrace t = open.get(jobId);
        if (t == null) {
            return Map.of();
        }
        Map<String, String> headers = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(t.root), headers, Map::put);
        return headers;
    }

    @Override
    public void close() {
        OtelSdk.close(sdk);
    }
}
