package io.lkworker.dev;

import com.google.gson.JsonObject;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import livekit.LivekitAgentDispatch.DeleteAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchRequest;
import livekit.LivekitAgentDispatch.ListAgentDispatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code livekit.AgentDispatchService} over Twirp (protocol.md §3.13): protobuf or protojson
 * bodies, answers in the request's encoding, errors as Twirp JSON. Stateless; runs on the HTTP
 * connection thread and delegates to {@link DispatchManager}.
 */
final class TwirpDispatchService {

    private static final Logger log = LoggerFactory.getLogger(TwirpDispatchService.class);

    static final String PREFIX = "/twirp/livekit.AgentDispatchService/";

    /** Twirp's JSON replies use proto field names and emit default values. */
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence();
    /** Accepts lowerCamelCase and proto names; unknown fields are discarded like Twirp does. */
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private static final Set<String> METHODS = Set.of("CreateDispatch", "DeleteDispatch", "ListDispatch");

    private final ApiKeyAuth auth;
    private final DispatchManager dispatches;

    private final WorkerRegistry registry;
    private final ServerConfig config;

    TwirpDispatchService(ServerConfig config, ApiKeyAuth auth, DispatchManager dispatches, WorkerRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.auth = auth;
        this.dispatches = dispatches;
    }

    /** A Twirp error: code string, HTTP status, message. */
    static final class TwirpError extends Exception {
        final String code;
        final int status;

        TwirpError(String code, int status, String msg) {
            super(msg);
            this.code = code;
            this.status = status;
        }
    }

    void handle(HttpRequest request, String path, OutputStream out) throws IOException {
        try {
            String method = path.substring(PREFIX.length());
            if (!request.method().equals("POST")) {
                throw badRoute("unsupported method " + request.method() + " (only POST is allowed)");
            }
            if (!METHODS.contains(method)) {
                throw badRoute("no handler for path " + path);
            }
            boolean json = contentTypeIsJson(request);
            Message reply = switch (method) {
                case "CreateDispatch" -> create(decode(request, json, CreateAgentDispatchRequest.newBuilder()), request);
                case "DeleteDispatch" -> delete(decode(request, json, DeleteAgentDispatchRequest.newBuilder()), request);
                case "ListDispatch" -> list(decode(request, json, ListAgentDispatchRequest.newBuilder()), request);
                default -> throw badRoute("no handler for path " + path);
            };
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

    private AgentDispatch create(CreateAgentDispatchRequest req, HttpRequest http) throws TwirpError {
        requireAdmin(http, req.getRoom());
        requireRoom(req.getRoom());
        requireServedAgentName(req.getAgentName());
        return dispatches.create(req.getRoom(), req.getAgentName(), req.getMetadata());
    }

    private AgentDispatch delete(DeleteAgentDispatchRequest req, HttpRequest http) throws TwirpError {
        requireAdmin(http, req.getRoom());
        requireRoom(req.getRoom());
        try {
            return dispatches.delete(req.getRoom(), req.getDispatchId());
        } catch (DispatchManager.NotFoundException e) {
            throw new TwirpError("not_found", 404, e.getMessage());
        }
    }

    private ListAgentDispatchResponse list(ListAgentDispatchRequest req, HttpRequest http) throws TwirpError {
        requireAdmin(http, req.getRoom());
        requireRoom(req.getRoom());
        return ListAgentDispatchResponse.newBuilder()
                .addAllAgentDispatches(dispatches.list(req.getRoom(), req.getDispatchId()))
                .build();
    }

    /** video.roomAdmin, and the grant's room (when it names one) must be the request's room. */
    private void requireAdmin(HttpRequest http, String room) throws TwirpError {
        Optional<ApiKeyAuth.Grant> grant;
        try {
            grant = auth.authenticate(http);
        } catch (ApiKeyAuth.AuthException e) {
            throw new TwirpError("unauthenticated", 401, e.getMessage());
        }
        boolean ok = grant.isPresent() && grant.get().videoFlag("roomAdmin")
                && (grant.get().videoString("room").isEmpty() || grant.get().videoString("room").equals(room));
        if (!ok) {
            throw new TwirpError("unauthenticated", 401, "permissions denied");
        }
    }

    /**
     * With {@code rejectUnservedAgentNames} (dev mode), and unlike the real server (which creates the
     * dispatch and silently never runs a job), a dispatch to an agent name that none of the registered
     * workers serves is refused: on a development server it is almost always a typo. With no worker
     * registered at all the dispatch is taken (it waits for one).
     */
    private void requireServedAgentName(String agentName) throws TwirpError {
        if (!config.rejectUnservedAgentNames()) {
            return;
        }
        List<String> names = registry.all().stream().map(w -> w.registration().getAgentName()).distinct().sorted()
                .toList();
        if (!names.isEmpty() && !names.contains(agentName)) {
            throw new TwirpError("not_found", 404, "no registered worker serves agent '" + agentName
                    + "' (registered: " + names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                    + ")");
        }
    }

    private static void requireRoom(String room) throws TwirpError {
        if (room.isEmpty()) {
            throw new TwirpError("invalid_argument", 400, "room is required");
        }
    }

    private static boolean contentTypeIsJson(HttpRequest request) throws TwirpError {
        String type = request.header("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        String bare = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return switch (bare) {
            case "application/json" -> true;
            case "application/protobuf" -> false;
            default -> throw badRoute("unexpected Content-Type: \"" + type + "\"");
        };
    }

    /** Decodes the body into {@code builder}'s message type; the cast is safe by construction of the call sites. */
    @SuppressWarnings("unchecked")
    private static <T extends Message> T decode(HttpRequest request, boolean json, Message.Builder builder)
            throws TwirpError {
        try {
            if (json) {
                PARSER.merge(new String(request.body(), StandardCharsets.UTF_8), builder);
            } else {
                builder.mergeFrom(request.body());
            }
            return (T) builder.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new TwirpError("malformed", 400, json
                    ? "the json request could not be decoded"
                    : "the protobuf request could not be decoded");
        }
    }

    private static TwirpError badRoute(String msg) {
        return new TwirpError("bad_route", 404, msg);
    }
}
