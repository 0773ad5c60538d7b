package io.lkworker.tracing.otel;

import io.lkworker.tracing.TracedSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/** A {@link TracedSpan} on an OpenTelemetry span. */
final class OtelSpan implements TracedSpan {

    private final Tracer tracer;
    private final Span span;

    OtelSpan(Tracer tracer, Span span) {
        this.tracer = tracer;
        this.span = span;
    }

    @Override
    public Scope makeCurrent() {
        io.opentelemetry.context.Scope scope = span.makeCurrent();
        return scope::close;
    }

    @Override
    public TracedSpan child(String name) {
        return new OtelSpan(tracer, tracer.spanBuilder(name).setParent(Context.current().with(span)).startSpan());
    }

    @Override
    public void event(String name) {
        span.addEvent(name);
    }

    @Override
    public void attribute(String key, String value) {
        span.setAttribute(key, value);
    }

    @Override
    public void end(String error) {
        if (error != null && !error.isEmpty()) {
            span.setStatus(StatusCode.ERROR, error);
        }
        span.end();
    }
}
