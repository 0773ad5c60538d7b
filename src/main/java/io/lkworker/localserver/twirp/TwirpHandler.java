package io.lkworker.localserver.twirp;

import com.google.gson.JsonObject;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.lkworker.localserver.http.HttpExchange;
import io.lkworker.localserver.http.HttpHandler;
import io.lkworker.localserver.http.HttpRequest;
import io.lkworker.localserver.http.HttpResponses;
import io.lkworker.localserver.http.Route;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twirp's framing for one service ({@code livekit.AgentDispatchService}, later
 * {@code livekit.RoomService}; the Twirp protocol as LiveKit's server serves it): POST only, the method named by the path after the
 * service's prefix, protobuf or protojson bodies by Content-Type, the answer in the request's
 * encoding, errors as Twirp JSON. Stateless; runs on the HTTP connection thread.
 */
final class TwirpHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(TwirpHandler.class);

    /** Twirp's JSON replies use proto field names and emit default values. */
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();

    /** A service's methods: decodes the body with {@link TwirpCall#decode} and returns the reply. */
    @FunctionalInterface
    interface Methods {
        Message call(TwirpCall call) throws TwirpError;
    }

    private final String prefix;
    private final Set<String> methodNames;
    private final Methods methods;

    /**
     * @param prefix      {@code /twirp/<package>.<Service>/}
     * @param methodNames the methods served; any other is a bad_route before the body is read
     */
    TwirpHandler(String prefix, Set<String> methodNames, Methods methods) {
        this.prefix = prefix;
        this.methodNames = Set.copyOf(methodNames);
        this.methods = methods;
    }

    /** The prefix route that serves the service. */
    static Route route(String prefix, Set<String> methodNames, Methods methods) {
        return Route.prefix(prefix, new TwirpHandler(prefix, methodNames, methods));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        HttpRequest request = exchange.request();
        String path = exchange.path();
        OutputStream out = exchange.out();
        try {
            String method = path.substring(prefix.length());
            if (!request.method().equals("POST")) {
                throw TwirpError.badRoute("unsupported method " + request.method() + " (only POST is allowed)");
            }
            if (!methodNames.contains(method)) {
                throw TwirpError.badRoute("no handler for path " + path);
            }
            boolean json = contentTypeIsJson(request);
            Message reply = methods.call(new TwirpCall(method, request, json));
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
