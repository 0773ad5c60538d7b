package io.lkworker.tracing.otel;

import io.lkworker.tracing.ChildTracing;
import io.lkworker.tracing.TracedSpan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;

/**
 * A job process's traces on the OpenTelemetry SDK, which is also made the process's
 * {@code GlobalOpenTelemetry}: the agent's own spans (standard API, shared with the agent's class
 * loader) go to the same exporter, under the entrypoint's span while the entrypoint runs. Built while
 * the process warms up, so a job pays nothing for it. Loaded by name only when tracing is on.
 */
public final class OtelChildTracing implements ChildTracing {

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;

    public OtelChildTracing() {
        this.sdk = OtelSdk.create("job", true);
        this.tracer = sdk.getTracer("io.lkworker.runner");
    }

    @Override
    public TracedSpan startEntrypoint(Map<String, String> traceContext, Map<String, String> attributes) {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), traceContext, MAP_GETTER);
        SpanBuilder builder = tracer.spanBuilder("job.entrypoint").setParent(parent);
        attributes.forEach(builder::setAttribute);
        builder.setAttribute(io.lkworker.tracing.JobAttributes.PID, ProcessHandle.current().pid());
        Span span = builder.startSpan();
        return new OtelSpan(tracer, span);
    }

    @Override
    public void close() {
        OtelSdk.close(sdk);
    }
}
