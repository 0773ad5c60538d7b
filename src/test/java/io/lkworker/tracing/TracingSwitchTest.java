package io.lkworker.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which OTEL_* variables switch job tracing on (docs/tracing.md, "Switching it on"). */
class TracingSwitchTest {

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void offWithoutAnEndpoint() {
        TracingSwitch sw = TracingSwitch.fromEnvironment(env("OTEL_SERVICE_NAME", "x", "OTEL_EXPORTER_OTLP_HEADERS", "a=b",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        assertThat(sw.on()).isFalse();
        assertThat(sw.problem()).isEmpty();
        assertThat(sw.why()).contains("OTEL_EXPORTER_OTLP_ENDPOINT").contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    }

    @ParameterizedTest
    @CsvSource({
            "OTEL_EXPORTER_OTLP_ENDPOINT, http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, http://collector:4318/v1/traces"})
    void onWithEitherEndpoint(String variable, String value) {
        TracingSwitch sw = TracingSwitch.fromEnvironment(env(variable, value));
        assertThat(sw.on()).isTrue();
        assertThat(sw.why()).isEqualTo(variable + " is set").doesNotContain(value);
    }

    @Test
    void aBlankEndpointIsNotSet() {
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")).on()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"true", "TRUE", " true "})
    void sdkDisabledForcesOff(String value) {
        TracingSwitch sw = TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_SDK_DISABLED", value));
        assertThat(sw.on()).isFalse();
        assertThat(sw.why()).isEqualTo("OTEL_SDK_DISABLED=true");
    }

    @Test
    void sdkDisabledFalseChangesNothing() {
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_SDK_DISABLED", "false")).on()).isTrue();
    }

    @Test
    void tracesExporterNoneForcesOffAndOtlpIsFine() {
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_TRACES_EXPORTER", "none")).on()).isFalse();
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_TRACES_EXPORTER", "otlp")).on()).isTrue();
    }

    @Test
    void anExporterWeDoNotShipIsSaidPlainly() {
        TracingSwitch sw = TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_TRACES_EXPORTER", "zipkin"));
        assertThat(sw.on()).isFalse();
        assertThat(sw.problem()).isEqualTo("tracing stays off: OTEL_TRACES_EXPORTER=zipkin is not supported"
                + " (lk-worker ships the OTLP exporter only); unset it or set it to otlp");
    }

    @Test
    void grpcIsSaidPlainlyAndHttpIsFine() {
        TracingSwitch grpc = TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        assertThat(grpc.on()).isFalse();
        assertThat(grpc.problem()).isEqualTo("tracing stays off: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported"
                + " (lk-worker exports OTLP as http/protobuf only); set it to http/protobuf and point the endpoint at the"
                + " collector's OTLP/HTTP port (4318)");
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")).on()).isTrue();
        // the Java exporter has no JSON encoding (opentelemetry-java, OtlpConfigUtil, getOtlpProtocol)
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")).problem()).contains("http/json is not supported");
    }

    @Test
    void theTracesProtocolWinsOverTheGeneralOne() {
        assertThat(TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")).on()).isTrue();
        TracingSwitch sw = TracingSwitch.fromEnvironment(env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"));
        assertThat(sw.on()).isFalse();
        assertThat(sw.problem()).startsWith("tracing stays off: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc");
    }

    @Test
    void theChildSideIsOffAndLoadsNothingWithoutAnEndpoint() {
        assertThat(Tracing.forChild(Map.of())).isSameAs(ChildTracing.NONE);
        assertThat(io.lkworker.worker.JobTracing.forDaemon(Map.of())).isSameAs(io.lkworker.worker.JobTracing.NONE);
    }
}
