package io.lkworker.localserver.twirp;

import io.lkworker.localserver.auth.ApiKeyAuth;
import java.util.Optional;

/**
 * The permission checks of LiveKit's Twirp services: a valid token whose video grant has the
 * method's flag ({@code roomAdmin}, {@code roomList}, {@code roomCreate}); for per-room operations
 * the grant must name exactly the request's room. A {@code roomAdmin} token without a room is no
 * wildcard: LiveKit refuses it too (livekit/livekit pkg/service/auth.go {@code EnsureAdminPermission}
 * compares the request's room with the grant's), so code that works here works in production.
 * Refusals are Twirp's 401 "unauthenticated" with a message starting "permissions denied", as
 * LiveKit sends them (pkg/service/auth.go maps its ErrPermissionDenied to twirp.Unauthenticated), so
 * clients that look at the code behave the same; the rest of the message says which grant is missing,
 * since "unauthenticated" alone suggests a bad token when the token is fine and only lacks a grant.
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
        if (grant.isEmpty()) {
            throw new TwirpError("unauthenticated", 401, "permissions denied: " + call.method()
                    + " needs an access token (Authorization: Bearer) whose video grant has " + flag);
        }
        if (!grant.get().videoFlag(flag)) {
            throw new TwirpError("unauthenticated", 401, "permissions denied: " + call.method()
                    + " needs a token whose video grant has " + flag + "; this one's has not"
                    + (grant.get().videoFlag("roomJoin") ? " (it is a participant's or a job's room token, which"
                    + " may join its room only)" : ""));
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
