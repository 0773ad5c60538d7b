package io.lkworker.localserver.http;

import java.io.IOException;

/**
 * Answers the requests of one {@link Route}. Runs on the connection's own thread; a handler that
 * upgrades the connection (a WebSocket) may keep that thread until the connection ends. The
 * frontend closes the socket when the handler returns.
 */
@FunctionalInterface
public interface HttpHandler {

    void handle(HttpExchange exchange) throws IOException;
}
