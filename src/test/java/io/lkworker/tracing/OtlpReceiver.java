package io.lkworker.tracing;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A small OTLP/HTTP trace receiver for tests: {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest} (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf), decoded into
 * {@link ReceivedSpan}s. On 127.0.0.1, an ephemeral port; JDK HTTP server, one thread.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One span as it arrived, ids in lower-case hex; {@code parentSpanId} "" for a root. */
    record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name,
                        Map<String, String> attributes, Map<String, String> resource, boolean error,
                        String statusMessage, List<String> events, long startNanos, long endNanos) {

        String attr(String key) {
            return attributes.getOrDefault(key, "");
        }
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    /** Requests that were not a well-formed export, with what was wrong: the test fails on any. */
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    /** Header names of every request (values are never kept: they may be credentials). */
    private final List<String> headerNames = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    /** The OTEL_EXPORTER_OTLP_ENDPOINT to give exporters (the SDK appends /v1/traces). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    List<String> rejected() {
        return List.copyOf(rejected);
    }

    List<String> headerNames() {
        return List.copyOf(headerNames);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestHeaders().keySet().forEach(h -> headerNames.add(h.toLowerCase(java.util.Locale.ROOT)));
            if (!exchange.getRequestMethod().equals("POST")) {
                rejected.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-protobuf")) {
                rejected.add("content type " + type);
                exchange.sendResponseHeaders(415, -1);
                return;
            }
            InputStream body = exchange.getRequestBody();
            if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            decode(request);
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
        } catch (RuntimeException | IOException e) {
            rejected.add(e.toString());
            throw e;
        }
    }

    private void decode(ExportTraceServiceRequest request) {
        for (ResourceSpans rs : request.getResourceSpansList()) {
            Map<String, String> resource = attributes(rs.getResource().getAttributesList());
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                    spans.add(new ReceivedSpan(hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()),
                            s.getName(), attributes(s.getAttributesList()), resource,
                            s.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                            s.getStatus().getMessage(),
                            s.getEventsList().stream().map(io.opentelemetry.proto.trace.v1.Span.Event::getName).toList(),
                            s.getStartTimeUnixNano(), s.getEndTimeUnixNano()));
                }
            }
        }
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            out.put(kv.getKey(), text(kv.getValue()));
        }
        return out;
    }

    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            default -> v.toString();
        };
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
