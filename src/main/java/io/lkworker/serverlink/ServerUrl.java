package io.lkworker.serverlink;

import java.net.URI;
import java.net.URISyntaxException;

/** Turns the configured LiveKit URL into the worker endpoint: http→ws, https→wss, keep the path, append /agent. */
public final class ServerUrl {

    private ServerUrl() {
    }

    /**
     * {@code https://host/prefix?x=1} → {@code wss://host/prefix/agent}. Query and fragment are
     * dropped, trailing slashes normalised, like livekit/agents {@code livekit-agents/livekit/agents/worker.py}
     * {@code _connection_task}.
     *
     * @throws IllegalArgumentException with a one-line reason when the URL is not usable
     */
    public static URI agentEndpoint(String configured) {
        URI uri = parse(configured);
        String scheme = switch (uri.getScheme().toLowerCase()) {
            case "http", "ws" -> "ws";
            case "https", "wss" -> "wss";
            default -> throw new IllegalArgumentException(
                    "scheme must be ws, wss, http or https, got '" + uri.getScheme() + "'");
        };
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path + "/agent");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getMessage());
        }
    }

    /** The plain HTTP form of the endpoint, for a diagnostic request after a refused upgrade. */
    public static URI httpForm(URI agentEndpoint) {
        String s = agentEndpoint.toString();
        return URI.create(s.startsWith("wss:") ? "https:" + s.substring(4) : "http:" + s.substring(3));
    }

    private static URI parse(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new IllegalArgumentException("no URL given");
        }
        URI uri;
        try {
            uri = new URI(configured.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not a valid URL (expected e.g. wss://my-project.livekit.cloud): "
                    + configured);
        }
        return uri;
    }
}
