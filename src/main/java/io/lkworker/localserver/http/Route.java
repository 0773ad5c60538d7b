package io.lkworker.localserver.http;

import java.util.Objects;

/**
 * A path the {@link HttpFrontend} serves: exactly {@code path}, or (for a prefix route) every path
 * that starts with it. The embedder registers routes; the frontend knows none of them.
 *
 * @param path    the exact path, or the prefix (e.g. {@code /twirp/livekit.AgentDispatchService/})
 * @param prefix  whether {@code path} is a prefix
 * @param handler what answers the matching requests
 */
public record Route(String path, boolean prefix, HttpHandler handler) {

    public Route {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
    }

    public static Route exact(String path, HttpHandler handler) {
        return new Route(path, false, handler);
    }

    public static Route prefix(String prefix, HttpHandler handler) {
        return new Route(prefix, true, handler);
    }

    boolean matches(String requestPath) {
        return prefix ? requestPath.startsWith(path) : requestPath.equals(path);
    }
}
