package io.lkworker.worker;

import io.lkworker.tracing.Tracing;
import io.lkworker.tracing.TracingSwitch;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of job traces: a {@link JobLifecycleListener} that turns each job's stages into
 * spans of one trace, and hands out the W3C trace context a job process continues that trace with
 * ({@code StartJob.trace_context}). Loop thread, like every listener. The OpenTelemetry-backed
 * implementation is {@code io.lkworker.tracing.otel.OtelJobTracing}, loaded by name only when tracing
 * is on ({@link #forDaemon}).
 */
public interface JobTracing extends JobLifecycleListener {

    /** The daemon's job tracing for the environment {@code env} (normally {@link System#getenv()}). */
    static JobTracing forDaemon(Map<String, String> env) {
        Logger log = LoggerFactory.getLogger(JobTracing.class);
        TracingSwitch sw = TracingSwitch.fromEnvironment(env);
        if (!sw.problem().isEmpty()) {
            log.warn(sw.problem());
        }
        if (!sw.on()) {
            log.debug("job tracing off: {}", sw.why());
            return NONE;
        }
        long started = System.nanoTime();
        JobTracing tracing = Tracing.instantiate("io.lkworker.tracing.otel.OtelJobTracing", JobTracing.class, NONE);
        if (tracing != NONE) {
            log.info("job tracing on ({}): each job's trace is exported over OTLP (SDK ready in {} ms)", sw.why(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        return tracing;
    }

    /**
     * The W3C trace-context headers ({@code traceparent}, maybe {@code tracestate}) of the job's
     * trace, for its job process; empty when the job is not traced.
     */
    Map<String, String> traceContext(String jobId);

    /** Exports what is still buffered, bounded in time; the daemon is exiting. */
    void close();

    /** Tracing off: nothing is recorded and no OpenTelemetry class is loaded. */
    JobTracing NONE = new JobTracing() {
        @Override
        public void onJobEvent(Event event) {
        }

        @Override
        public Map<String, String> traceContext(String jobId) {
            return Map.of();
        }

        @Override
        public void close() {
        }
    };
}
