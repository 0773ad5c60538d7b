package io.lkworker.tracing;

import java.util.Locale;
import java.util.Map;

/**
 * Whether this process exports OpenTelemetry traces, decided from the standard {@code OTEL_*}
 * environment variables alone (docs/tracing.md, "Switching it on"):
 * <ul>
 *   <li>on when {@code OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} is set
 *       and not blank;
 *   <li>off, whatever the endpoints say, when {@code OTEL_SDK_DISABLED=true} or
 *       {@code OTEL_TRACES_EXPORTER=none};
 *   <li>off with a {@link #problem} when {@code OTEL_TRACES_EXPORTER} names an exporter other than
 *       {@code otlp} (only the OTLP exporter is shipped), or {@code OTEL_EXPORTER_OTLP_PROTOCOL} /
 *       {@code OTEL_EXPORTER_OTLP_TRACES_PROTOCOL} asks for anything but {@code http/protobuf}: only OTLP
 *       over HTTP is shipped (the JDK's HTTP client, no gRPC or OkHttp), and the Java exporter has no
 *       {@code http/json}. Unset, the protocol is {@code http/protobuf}, not the Java SDK's own default
 *       of {@code grpc}.
 * </ul>
 * Java system properties ({@code -Dotel.*}) do not switch it on: the daemon decides before any
 * OpenTelemetry class is loaded, and children inherit the environment, not the daemon's properties.
 * Off means not a single {@code io.opentelemetry} class is loaded (TracingOffTest).
 *
 * @param on whether to load the SDK and export
 * @param why the variable that decided, for the start-up log line (never a variable's value: the
 *            endpoint may carry credentials in its user-info)
 * @param problem "" or what is wrong with the variables, as one actionable sentence
 */
public record TracingSwitch(boolean on, String why, String problem) {

    public static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public static final String TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public static final String SDK_DISABLED = "OTEL_SDK_DISABLED";
    public static final String TRACES_EXPORTER = "OTEL_TRACES_EXPORTER";
    public static final String PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public static final String TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";

    public static TracingSwitch fromEnvironment(Map<String, String> env) {
        if ("true".equals(lower(env.get(SDK_DISABLED)))) {
            return new TracingSwitch(false, SDK_DISABLED + "=true", "");
        }
        String exporter = lower(env.get(TRACES_EXPORTER));
        if ("none".equals(exporter)) {
            return new TracingSwitch(false, TRACES_EXPORTER + "=none", "");
        }
        String endpointVariable = isSet(env.get(TRACES_ENDPOINT)) ? TRACES_ENDPOINT
                : isSet(env.get(ENDPOINT)) ? ENDPOINT : null;
        if (endpointVariable == null) {
            return new TracingSwitch(false, "neither " + ENDPOINT + " nor " + TRACES_ENDPOINT + " is set", "");
        }
        if (!exporter.isEmpty() && !"otlp".equals(exporter)) {
            return new TracingSwitch(false, TRACES_EXPORTER + "=" + exporter,
                    "tracing stays off: " + TRACES_EXPORTER + "=" + env.get(TRACES_EXPORTER).trim()
                            + " is not supported (lk-worker ships the OTLP exporter only); unset it or set it to otlp");
        }
        for (String variable : new String[] {TRACES_PROTOCOL, PROTOCOL}) {
            String protocol = lower(env.get(variable));
            if (!protocol.isEmpty() && !protocol.equals("http/protobuf")) {
                return new TracingSwitch(false, variable + "=" + protocol, "tracing stays off: " + variable + "="
                        + env.get(variable).trim() + " is not supported (lk-worker exports OTLP as http/protobuf only);"
                        + " set it to http/protobuf and point the endpoint at the collector's OTLP/HTTP port (4318)");
            }
            if (!protocol.isEmpty()) {
                break; // the traces-specific variable wins over the general one
            }
        }
        return new TracingSwitch(true, endpointVariable + " is set", "");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    private static String lower(String value) {
        return value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    }
}
