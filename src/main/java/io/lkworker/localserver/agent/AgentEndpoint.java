package io.lkworker.localserver.agent;

import io.lkworker.localserver.ConnectionAttempt;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.HttpExchange;
import io.lkworker.localserver.http.HttpHandler;
import io.lkworker.localserver.http.HttpRequest;
import io.lkworker.localserver.http.HttpResponses;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /agent}: the checks of the real server in its order (livekit/livekit
 * {@code pkg/service/auth.go} {@code APIKeyAuthMiddleware}, {@code pkg/service/agentservice.go}
 * {@code AgentService.ServeHTTP}), the 101 answer, and
 * then the connection is handed to a {@link WorkerSession} on the same thread.
 */
final class AgentEndpoint implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(AgentEndpoint.class);
    static final String PATH = "/agent";

    /** Creates the session of an upgraded connection (the server tracks it for closeAllAbruptly). */
    interface SessionFactory {
        WorkerSession create(long connectionId, ApiKeyAuth.Grant grant, WebSocketConnection ws);
    }

    private record Refusal(int status, String body) {
    }

    private final ApiKeyAuth auth;
    private final ServerConfig config;
    private final Consumer<ConnectionAttempt> attempts;
    private final SessionFactory sessions;
    private volatile Refusal refusal;

    /** {@code attempts} records every request with its answer, before the answer is written. */
    AgentEndpoint(ApiKeyAuth auth, ServerConfig config, Consumer<ConnectionAttempt> attempts,
            SessionFactory sessions) {
        this.auth = auth;
        this.config = config;
        this.attempts = attempts;
        this.sessions = sessions;
        if (config.refusedUpgradeStatus() != 0) {
            refusal = new Refusal(config.refusedUpgradeStatus(), config.refusedUpgradeBody());
        }
    }

    void refuseUpgrades(int status, String body) {
        if (status < 200 || status > 599 || status == 101) {
            throw new IllegalArgumentException("not a refusal status: " + status);
        }
        refusal = new Refusal(status, body == null ? "" : body);
    }

    void acceptUpgrades() {
        refusal = null;
    }

    /** Answers the request; when it upgrades, runs the worker session until the connection ends. */
    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long connectionId = exchange.connectionId();
        HttpRequest req = exchange.request();
        OutputStream out = exchange.out();
        Refusal r = refusal;
        if (r != null) {
            // What a proxy or an overloaded server in front of LiveKit would answer.
            answer(connectionId, out, r.status(), r.body());
            return;
        }
        Optional<ApiKeyAuth.Grant> grant;
        try {
            grant = auth.authenticate(req);
        } catch (ApiKeyAuth.AuthException e) {
            answer(connectionId, out, 401, e.getMessage());
            return;
        }
        if (!req.headerHasToken("Connection", "upgrade") || !req.headerHasToken("Upgrade", "websocket")) {
            answer(connectionId, out, 404, null);
            return;
        }
        if (grant.isEmpty() || !grant.get().videoFlag("agent")) {
            answer(connectionId, out, 401, "permissions denied");
            return;
        }
        if (grant.isPresent() && grant.get().videoFlag("roomJoin")) {
            // A job's room token also carries agent=true (as on the real server); here it may join its
            // room and nothing else, so it cannot register a worker.
            answer(connectionId, out, 401, "permissions denied: a room token cannot register a worker");
            return;
        }
        if (!req.method().equals("GET")) {
            answer(connectionId, out, 405, "Method Not Allowed");
            return;
        }
        String key = req.header("Sec-WebSocket-Key").orElse("");
        if (!req.header("Sec-WebSocket-Version").orElse("").equals("13") || !validKey(key)) {
            answer(connectionId, out, 400, "Bad Request");
            return;
        }
        // Recorded before answering, so whoever saw the answer also finds the record.
        attempts.accept(new ConnectionAttempt(connectionId, now(), PATH, 101, ""));
        // Reads have no timeout from now on: the session enforces the register deadline itself and,
        // like the real server, sets no read deadline once registered.
        WebSocketConnection ws = WebSocketConnection.accept(exchange, key, config.maxMessageBytes(),
                "connection " + connectionId);
        sessions.create(connectionId, grant.get(), ws).run();
    }

    private static boolean validKey(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A refused upgrade: status with a text body (null = no body, like the 404). Bodies never contain tokens. */
    private void answer(long connectionId, OutputStream out, int status, String body) throws IOException {
        log.info("connection {}: /agent refused with {}{}", connectionId, status, body == null ? "" : ": " + body);
        // Recorded before answering, so whoever saw the answer also finds the record.
        attempts.accept(new ConnectionAttempt(connectionId, now(), PATH, status, body == null ? "" : body));
        if (body == null) {
            HttpResponses.empty(out, status);
        } else {
            HttpResponses.text(out, status, body);
        }
    }

    private Instant now() {
        return Instant.ofEpochMilli(config.clock().millis());
    }
}
