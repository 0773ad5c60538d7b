package io.lkworker.localserver.room;

import io.lkworker.localserver.auth.ApiKeyAuth;
import io.lkworker.localserver.http.HttpExchange;
import io.lkworker.localserver.http.HttpHandler;
import io.lkworker.localserver.http.HttpRequest;
import io.lkworker.localserver.http.HttpResponses;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import livekit.LivekitModels.ClientInfo;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /rtc} (room signalling, dual peer connection) and {@code /rtc/validate}, with the checks of
 * the real server (livekit/livekit pkg/service/rtcservice.go validateInternal, ServeHTTP): a valid
 * token, the room-join grant, a room and an identity, and room capacity. Refusals are plain HTTP
 * answers before any upgrade, so clients can show them; {@code validate} answers {@code success} or
 * the same refusal, readable by web pages. {@code reconnect=1} asks to resume a participant still in
 * the room (pkg/service/roommanager.go StartSession). The single-connection path {@code /rtc/v1} is
 * answered with a plain 404, which makes LiveKit's clients fall back to {@code /rtc}.
 */
final class RtcEndpoint implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(RtcEndpoint.class);
    static final String PATH = "/rtc";
    static final String VALIDATE = "/rtc/validate";
    static final String V1 = "/rtc/v1";

    /** Where admitted participants go. */
    interface Rooms {
        /** Why a join with these claims cannot be admitted now (capacity), or null if it can. Before the upgrade. */
        Refusal refuse(TokenClaims claims);

        /** Finds or creates the room and runs the participant's session on this thread until it ends. */
        void admit(TokenClaims claims, WebSocketConnection ws, boolean autoSubscribe, ClientInfo client, String sdkName);

        /**
         * A resume: hands the connection to the participant with the claims' identity and reads its
         * signalling on this thread until it ends; without one, the client is told to join afresh.
         */
        void resume(TokenClaims claims, WebSocketConnection ws, int reconnectReason);
    }

    /** An HTTP answer instead of an upgrade. */
    record Refusal(int status, String message) {
    }

    private final ApiKeyAuth auth;
    private final int maxMessageBytes;
    private final Rooms rooms;

    RtcEndpoint(ApiKeyAuth auth, int maxMessageBytes, Rooms rooms) {
        this.auth = auth;
        this.maxMessageBytes = maxMessageBytes;
        this.rooms = rooms;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.path();
        HttpRequest req = exchange.request();
        if (path.startsWith(V1)) {
            HttpResponses.textForAnyOrigin(exchange.out(), 404, "404 page not found\n");
            return;
        }
        boolean upgrade = req.headerHasToken("Connection", "upgrade") && req.headerHasToken("Upgrade", "websocket");
        if (!path.equals(VALIDATE) && !upgrade) {
            // Like the real server (rtcservice.go serve): a plain request to /rtc is a 404 before any auth.
            HttpResponses.empty(exchange.out(), 404);
            return;
        }
        Object checked = check(req);
        if (checked instanceof Refusal r) {
            log.info("connection {}: {} refused with {}: {}", exchange.connectionId(), path, r.status(), r.message());
            HttpResponses.textForAnyOrigin(exchange.out(), r.status(), r.message());
            return;
        }
        TokenClaims claims = (TokenClaims) checked;
        boolean reconnect = flag(req, "reconnect", false);
        Refusal full = reconnect ? null : rooms.refuse(claims);
        if (full != null) {
            log.info("connection {}: {} refused with {}: {}", exchange.connectionId(), path, full.status(), full.message());
            HttpResponses.textForAnyOrigin(exchange.out(), full.status(), full.message());
            return;
        }
        if (path.equals(VALIDATE)) {
            HttpResponses.textForAnyOrigin(exchange.out(), 200, "success");
            return;
        }
        String key = req.header("Sec-WebSocket-Key").orElse("");
        if (!req.header("Sec-WebSocket-Version").orElse("").equals("13") || !validKey(key)) {
            HttpResponses.text(exchange.out(), 400, "Bad Request");
            return;
        }
        WebSocketConnection ws = WebSocketConnection.accept(exchange, key, maxMessageBytes,
                "rtc connection " + exchange.connectionId());
        if (reconnect) {
            int reason = req.queryParam("reconnect_reason").map(RtcEndpoint::intOrZero).orElse(0);
            rooms.resume(claims, ws, reason);
            return;
        }
        rooms.admit(claims, ws, flag(req, "auto_subscribe", true), clientInfo(req), sdkName(req));
    }

    /** A resume request without a live room: first and only message Leave{STATE_MISMATCH, RECONNECT}. */
    static void refuseResume(WebSocketConnection ws) throws IOException {
        ws.sendBinary(LivekitRtc.SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                .setReason(DisconnectReason.STATE_MISMATCH).setAction(LivekitRtc.LeaveRequest.Action.RECONNECT))
                .build().toByteArray());
        ws.sendClose(1000);
    }

    private static int intOrZero(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * What the client says about itself in the query (livekit/livekit pkg/service/rtcservice.go
     * ParseClientInfo), as the real server keeps it: {@code sdk} ({@code js}, {@code reactnative}, {@code rust}, ...; unknown names are
     * UNKNOWN), {@code version}, {@code protocol}, and the device fields when given.
     */
    static ClientInfo clientInfo(HttpRequest req) {
        ClientInfo.Builder b = ClientInfo.newBuilder();
        String sdk = req.queryParam("sdk").orElse("").toUpperCase(java.util.Locale.ROOT);
        ClientInfo.SDK value = ClientInfo.SDK.UNKNOWN;
        for (ClientInfo.SDK candidate : ClientInfo.SDK.values()) {
            if (candidate != ClientInfo.SDK.UNRECOGNIZED && candidate.name().replace("_", "").equals(sdk.replace("_", ""))) {
                value = candidate;
            }
        }
        b.setSdk(value);
        req.queryParam("version").ifPresent(b::setVersion);
        req.queryParam("protocol").ifPresent(v -> {
            try {
                b.setProtocol(Integer.parseInt(v));
            } catch (NumberFormatException e) {
                // not a number: left 0, like the real server
            }
        });
        req.queryParam("os").ifPresent(b::setOs);
        req.queryParam("os_version").ifPresent(b::setOsVersion);
        req.queryParam("device_model").ifPresent(b::setDeviceModel);
        req.queryParam("browser").ifPresent(b::setBrowser);
        req.queryParam("browser_version").ifPresent(b::setBrowserVersion);
        req.queryParam("network").ifPresent(b::setNetwork);
        return b.build();
    }

    /**
     * The client's SDK as it named itself ({@code java}, {@code js}, ...), for the join log line: an SDK
     * LiveKit's enum has no name for (ours) would otherwise show as UNKNOWN.
     */
    static String sdkName(HttpRequest req) {
        return req.queryParam("sdk").filter(v -> !v.isBlank()).orElse("unknown");
    }

    /** The claims of an acceptable request, or why it is refused. */
    private Object check(HttpRequest req) {
        Optional<ApiKeyAuth.Grant> grant;
        try {
            grant = auth.authenticate(req);
        } catch (ApiKeyAuth.AuthException e) {
            return new Refusal(401, e.getMessage());
        }
        if (grant.isEmpty()) {
            return new Refusal(401, "no access token");
        }
        TokenClaims claims = TokenClaims.from(grant.get().claims());
        if (!claims.roomJoin()) {
            return new Refusal(401, "permissions denied: the token does not grant roomJoin");
        }
        if (claims.room().isEmpty()) {
            return new Refusal(400, "the token names no room");
        }
        if (claims.identity().isEmpty()) {
            return new Refusal(400, "the token has no identity (sub)");
        }
        return claims;
    }

    private static boolean flag(HttpRequest req, String name, boolean absent) {
        return req.queryParam(name).map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(absent);
    }

    private static boolean validKey(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
