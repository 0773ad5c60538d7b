package io.lkworker.localserver.twirp;

import io.lkworker.localserver.auth.ApiKeyAuth;
import java.util.Optional;

/**
 * The permission checks of LiveKit's Twirp services: a valid token whose video grant has the
 * method's flag ({@code roomAdmin}, {@code roomList}, {@code roomCreate}); for per-room operations,
 * a grant that names a room must name the request's room. Refusals are Twirp's 401 "unauthenticated".
 */
final class TwirpGrants {

    private TwirpGrants() {
    }

    static void require(ApiKeyAuth auth, TwirpCall call, String flag, String room) throws TwirpError {
        Optional<ApiKeyAuth.Grant> grant;
        try {
            grant = auth.authenticate(call.http());
        } catch (ApiKeyAuth.AuthException e) {
            throw new TwirpError("unauthenticated", 401, e.getMessage());
        }
        boolean ok = grant.isPresent() && grant.get().videoFlag(flag)
                && (room == null || grant.get().videoString("room").isEmpty() || grant.get().videoString("room").equals(room));
        if (!ok) {
            throw new TwirpError("unauthenticated", 401, "permissions denied");
        }
    }

    static void requireRoom(String room) throws TwirpError {
        if (room.isEmpty()) {
            throw new TwirpError("invalid_argument", 400, "room is required");
        }
    }
}
