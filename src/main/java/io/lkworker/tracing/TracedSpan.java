package io.lkworker.tracing;

/**
 * One span of a job process (the job's entrypoint, its room connection), behind our own type so
 * that code outside {@code tracing.otel} never touches an OpenTelemetry class. Thread-safe.
 */
public interface TracedSpan {

    /** Makes this span the current one on the calling thread until the returned scope is closed. */
    Scope makeCurrent();

    /** A child of this span, started now. */
    TracedSpan child(String name);

    /** A point in time within the span ("signalling connected"). */
    void event(String name);

    void attribute(String key, String value);

    /** Ends the span; {@code error} null or empty for success, else the failure's text. */
    void end(String error);

    /** Closing restores the thread's previous context; never throws. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    TracedSpan NONE = new TracedSpan() {
        @Override
        public Scope makeCurrent() {
            return () -> { };
        }

        @Override
        public TracedSpan child(String name) {
            return this;
        }

        @Override
        public void event(String name) {
        }

        @Override
        public void attribute(String key, String value) {
        }

        @Override
        public void end(String error) {
        }
    };
}
