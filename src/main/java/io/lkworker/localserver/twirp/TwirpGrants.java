package io.lkworker.localserver.twirp;

import io.lkworker.localserver.auth.ApiKeyAuth;
import java.util.Optional;

/**
 * The permission checks of LiveKit's Twirp services: a valid token whose video grant has the
 * method's flag ({@code roomAdmin}, {@code roomList}, {@code roomCreate}); for per-room operations
 * the grant must name exactly the request's room. A {@code roomAdmin} token without a room is no
 * wildcard: LiveKit refuses it too (livekit/livekit pkg/service/auth.go {@code EnsureAdminPermission}
 * compares the request's room with the grant's), so code that works here works in production.
 * Refusals are Twirp's 401 "unauthenticated".
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
        if (grant.isEmpty() || !grant.get().videoFlag(flag)) {
            throw new TwirpError("unauthenticated", 401, "permissions denied");
        }
        String granted = grant.get().videoString("room");
        if (room != null && !granted.equals(room)) {
            throw new TwirpError("unauthenticated", 401, "permissions denied: " + flag + " on room '" + room
                    + "' needs a token whose video grant names that room"
                    + (granted.isEmpty() ? " (this one names none)" : " (this one names '" + granted + "')"));
        }
    }

    static void requireRoom(String room) throws TwirpError {
        if (room.isEmpty()) {
            throw new TwirpError("invalid_argument", 400, "room is required");
        }
    }
}
