package io.lkworker.dev;

import com.google.gson.JsonObject;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twirp's framing for one {@link TwirpService} (protocol.md §3.13): POST only, the method named by
 * the path after the service's prefix, protobuf or protojson bodies by Content-Type, the answer in
 * the request's encoding, errors as Twirp JSON. Stateless; runs on the HTTP connection thread.
 */
final class TwirpHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(TwirpHandler.class);

    /** Twirp's JSON replies use proto field names and emit default values. */
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

    private final TwirpService service;

    TwirpHandler(TwirpService service) {
        this.service = service;
    }

    /** The prefix route that serves {@code service}. */
    static Route route(TwirpService service) {
        return Route.prefix(service.prefix(), new TwirpHandler(service));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        HttpRequest request = exchange.request();
        String path = exchange.path();
        OutputStream out = exchange.out();
        try {
            String method = path.substring(service.prefix().length());
            if (!request.method().equals("POST")) {
                throw TwirpError.badRoute("unsupported method " + request.method() + " (only POST is allowed)");
            }
            if (!service.methods().contains(method)) {
                throw TwirpError.badRoute("no handler for path " + path);
            }
            boolean json = contentTypeIsJson(request);
            Message reply = service.call(new TwirpCall(method, request, json));
            if (json) {
                HttpResponses.write(out, 200, HttpResponses.JSON, PRINTER.print(reply).getBytes(StandardCharsets.UTF_8));
            } else {
                HttpResponses.write(out, 200, HttpResponses.PROTOBUF, reply.toByteArray());
            }
        } catch (TwirpError e) {
            log.info("twirp {} {}: {} {}", request.method(), path, e.code, e.getMessage());
            JsonObject body = new JsonObject();
            body.addProperty("code", e.code);
            body.addProperty("msg", e.getMessage());
            HttpResponses.write(out, e.status, HttpResponses.JSON, body.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static boolean contentTypeIsJson(HttpRequest request) throws TwirpError {
        String type = request.header("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        String bare = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return switch (bare) {
            case "application/json" -> true;
            case "application/protobuf" -> false;
            default -> throw TwirpError.badRoute("unexpected Content-Type: \"" + type + "\"");
        };
    }
}
