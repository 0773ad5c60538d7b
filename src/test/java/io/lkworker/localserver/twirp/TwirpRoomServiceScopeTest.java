package io.lkworker.localserver.twirp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RoomService's per-room operations take a roomAdmin grant for exactly the request's room, as LiveKit
 * does (livekit/livekit pkg/service/auth.go EnsureAdminPermission): a token for room A cannot touch
 * room B, and a token naming no room is no wildcard.
 */
class TwirpRoomServiceScopeTest {

    private LocalLiveKitServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        JsonObject claims = claims();
        JsonObject video = new JsonObject();
        video.addProperty("roomCreate", true);
        claims.add("video", video);
        String creator = AccessToken.sign(claims, ServerConfig.DEFAULT_API_SECRET);
        for (String room : new String[] {"room-a", "room-b"}) {
            assertThat(post("CreateRoom", creator, "{\"name\":\"" + room + "\"}").statusCode()).isEqualTo(200);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aRoomAdminTokenForRoomAReachesOnlyRoomA() throws Exception {
        String forA = AccessToken.roomAdminToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, "room-a",
                System.currentTimeMillis(), Duration.ofMinutes(1));
        assertThat(post("ListParticipants", forA, "{\"room\":\"room-a\"}").statusCode()).isEqualTo(200);

        for (String method : new String[] {"ListParticipants", "RemoveParticipant", "GetParticipant", "SendData"}) {
            HttpResponse<String> other = post(method, forA, "{\"room\":\"room-b\",\"identity\":\"x\",\"data\":\"aGk=\"}");
            assertThat(other.statusCode()).as(method).isEqualTo(401);
            assertThat(other.body()).as(method).contains("permissions denied").contains("names 'room-a'");
        }
    }

    @Test
    void aRoomAdminTokenWithoutARoomIsNoWildcard() throws Exception {
        JsonObject claims = claims();
        JsonObject video = new JsonObject();
        video.addProperty("roomAdmin", true);
        claims.add("video", video);
        String noRoom = AccessToken.sign(claims, ServerConfig.DEFAULT_API_SECRET);

        for (String method : new String[] {"ListParticipants", "RemoveParticipant", "SendData"}) {
            HttpResponse<String> refused = post(method, noRoom, "{\"room\":\"room-a\",\"identity\":\"x\",\"data\":\"aGk=\"}");
            assertThat(refused.statusCode()).as(method).isEqualTo(401);
            assertThat(refused.body()).as(method).contains("names none");
        }
    }

    private static JsonObject claims() {
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", ServerConfig.DEFAULT_API_KEY);
        claims.addProperty("exp", System.currentTimeMillis() / 1000 + 600);
        return claims;
    }

    private HttpResponse<String> post(String method, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/twirp/livekit.RoomService/" + method))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
