package io.lkworker.tracing.otel;

import io.lkworker.tracing.JobAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds a process's OpenTelemetry SDK from the standard {@code OTEL_*} variables (the SDK's own
 * autoconfiguration reads them: endpoint, headers, protocol, sampler, batch settings, resource),
 * with lk-worker's choices on top:
 * <ul>
 *   <li>OTLP over HTTP ({@code http/protobuf}) unless the variables say otherwise (the Java SDK's own
 *       default is gRPC, which is not shipped);
 *   <li>the SDK's own log lines (java.util.logging) go to SLF4J ({@link JulToSlf4j});
 *   <li>traces only: metrics and logs exporters are forced off (the worker's metrics are on
 *       {@code /metrics}, its logs on standard output);
 *   <li>the service is {@code lk-worker} unless {@code OTEL_SERVICE_NAME} or a {@code service.name}
 *       in {@code OTEL_RESOURCE_ATTRIBUTES} names another; {@code lk.worker.process} (daemon or job) and
 *       {@code process.pid} tell the processes apart;
 *   <li>no shutdown hook: the owner flushes with a bound of its own ({@link #close}).
 * </ul>
 */
final class OtelSdk {

    static final String DEFAULT_SERVICE = "lk-worker";
    /**
     * How long an exiting process waits for its last spans to be exported. A collector on the same
     * host or network answers in milliseconds; 2 s covers a slow one without holding a job process's
     * exit (the daemon supervises it with --shutdown-timeout) or a daemon's stop for long.
     */
    static final long FLUSH_MILLIS = 2_000;
    /** After the flush, stopping the exporter's threads: nothing is left to send. */
    private static final long SHUTDOWN_MILLIS = 500;

    private OtelSdk() {
    }

    static OpenTelemetrySdk create(String role, boolean global) {
        JulToSlf4j.install();
        var builder = AutoConfiguredOpenTelemetrySdk.builder()
                // a default (the variables win): OTLP over HTTP, the one transport shipped (TracingSwitch)
                .addPropertiesSupplier(() -> Map.of("otel.exporter.otlp.protocol", "http/protobuf"))
                .addPropertiesCustomizer(config -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                .addResourceCustomizer((resource, config) -> resource.merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey(JobAttributes.PROCESS_ROLE), role,
                        AttributeKey.longKey(JobAttributes.PID), ProcessHandle.current().pid()))))
                .addResourceCustomizer((resource, config) -> {
                    String service = resource.getAttribute(AttributeKey.stringKey("service.name"));
                    return service == null || service.startsWith("unknown_service")
                            ? resource.merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
                                    DEFAULT_SERVICE)))
                            : resource;
                })
                .disableShutdownHook();
        if (global) {
            builder.setResultAsGlobal();
        }
        return builder.build().getOpenTelemetrySdk();
    }

    /** Exports what is buffered (at most {@link #FLUSH_MILLIS}), then stops the SDK. */
    static void close(OpenTelemetrySdk sdk) {
        sdk.getSdkTracerProvider().forceFlush().join(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        sdk.shutdown().join(SHUTDOWN_MILLIS, TimeUnit.MILLISECONDS);
    }
}
