package io.lkworker.rtc;

import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.RoomException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The room-signalling URL as LiveKit's clients build it (livekit/client-sdk-js src/api/SignalClient.ts
 * {@code createConnectionParams}, livekit/rust-sdks livekit-api/src/signal_client/mod.rs
 * {@code get_livekit_url}): the server URL ({@code http(s)} or {@code ws(s)}, any path kept) plus {@code /rtc}, with the client's
 * description in the query. The token is not in it: it travels in the {@code Authorization} header
 * (as the Rust client sends it), so it never lands in a proxy's access log.
 *
 * <p>We use the dual-peer-connection path {@code /rtc} ("v0"), which every LiveKit server serves; the
 * single-connection {@code /rtc/v1} adds nothing an agent needs.
 */
final class SignalUrl {

    /** LiveKit's signalling protocol version this client speaks (packed stream ids, leave actions). */
    static final int PROTOCOL = 17;
    static final String SDK = "java";

    private SignalUrl() {
    }

    static URI rtc(String serverUrl, AutoSubscribe autoSubscribe) {
        return withPath(parse(serverUrl), "/rtc", query(autoSubscribe));
    }

    /**
     * The URL that resumes session {@code participantSid}: the join's query plus {@code reconnect=1},
     * {@code sid} and, when known, {@code reconnect_reason} (a {@code ReconnectReason} number), as
     * client-sdk-js {@code SignalClient.reconnect} sends them; the server finds the session by the
     * token's identity (livekit/livekit pkg/service/roommanager.go {@code StartSession}).
     */
    static URI resume(String serverUrl, AutoSubscribe autoSubscribe, String participantSid, int reconnectReason) {
        Map<String, String> query = query(autoSubscribe);
        query.put("reconnect", "1");
        query.put("sid", participantSid);
        if (reconnectReason > 0) {
            query.put("reconnect_reason", Integer.toString(reconnectReason));
        }
        return withPath(parse(serverUrl), "/rtc", query);
    }

    private static Map<String, String> query(AutoSubscribe autoSubscribe) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("auto_subscribe", autoSubscribe == AutoSubscribe.ALL ? "1" : "0");
        query.put("sdk", SDK);
        query.put("version", version());
        query.put("protocol", Integer.toString(PROTOCOL));
        query.put("os", System.getProperty("os.name", ""));
        query.put("os_version", System.getProperty("os.version", ""));
        query.put("adaptive_stream", "0");
        return query;
    }

    /** {@code http(s)://.../rtc/validate} with the same query: answers with the reason a join is refused. */
    static URI validate(URI rtc) {
        String scheme = rtc.getScheme().equals("wss") ? "https" : "http";
        return URI.create(scheme + "://" + rtc.getRawAuthority() + rtc.getRawPath() + "/validate"
                + (rtc.getRawQuery() == null ? "" : "?" + rtc.getRawQuery()));
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new RoomException("no LiveKit URL for the room");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new RoomException("invalid LiveKit URL '" + url + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        String ws = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> throw new RoomException("invalid LiveKit URL '" + url + "': the scheme must be ws, wss, http or https");
        };
        if (uri.getHost() == null) {
            throw new RoomException("invalid LiveKit URL '" + url + "': no host");
        }
        try {
            return new URI(ws, null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new RoomException("invalid LiveKit URL '" + url + "': " + e.getReason());
        }
    }

    private static URI withPath(URI base, String suffix, Map<String, String> query) {
        String path = base.getPath() == null ? "" : base.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> {
            if (q.length() > 0) {
                q.append('&');
            }
            q.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        String host = base.getHost().contains(":") ? "[" + base.getHost() + "]" : base.getHost();
        return URI.create(base.getScheme() + "://" + host + (base.getPort() > 0 ? ":" + base.getPort() : "")
                + path + suffix + "?" + q);
    }

    static String version() {
        Package p = SignalUrl.class.getPackage();
        String v = p != null ? p.getImplementationVersion() : null;
        return v != null ? v : "dev";
    }
}
