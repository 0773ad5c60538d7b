package io.lkworker.tracing;

import java.util.Map;

/**
 * A job process's side of job traces: the span of the job's entrypoint, continuing the daemon's
 * trace from the context that came with {@code StartJob}; when on, the process's OpenTelemetry SDK
 * is also the global one, so agents add spans with the standard API. Thread-safe.
 */
public interface ChildTracing {

    /**
     * Starts the entrypoint's span as a child of {@code traceContext} (W3C headers; empty: a trace of
     * its own) with the given attributes.
     */
    TracedSpan startEntrypoint(Map<String, String> traceContext, Map<String, String> attributes);

    /** Exports every ended span, waiting at most the bound given by the implementation; the process is exiting. */
    void close();

    ChildTracing NONE = new ChildTracing() {
        @Override
        public TracedSpan startEntrypoint(Map<String, String> traceContext, Map<String, String> attributes) {
            return TracedSpan.NONE;
        }

        @Override
        public void close() {
        }
    };
}
