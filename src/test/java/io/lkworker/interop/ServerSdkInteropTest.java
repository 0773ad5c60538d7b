package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LiveKit's own Node server SDK ({@code livekit-server-sdk}, pinned in {@code src/test/js/package.json})
 * drives our embedded server's Twirp APIs ({@code livekit.RoomService}, {@code livekit.AgentDispatchService})
 * while two of our Java room clients sit in the room, one of them with a token signed by the SDK's
 * {@code AccessToken}. Skipped, with the reason, without {@code npm ci} in {@code src/test/js} or node.
 */
@Tag("interop")
class ServerSdkInteropTest {

    private static final String ROOM = "sdk-room";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private LocalLiveKitServer server;
    private ServerSdk sdk;
    private final List<RtcRoom> clients = new ArrayList<>();

    /** What one of our clients saw. */
    private static final class Seen implements RoomListener {
        final CompletableFuture<String> disconnected = new CompletableFuture<>();
        final List<String> data = new CopyOnWriteArrayList<>();
        final List<String> left = new CopyOnWriteArrayList<>();

        @Override
        public void onDisconnected(String reason) {
            disconnected.complete(reason);
        }

        @Override
        public void onDataReceived(byte[] bytes, RemoteParticipant from, String topic) {
            data.add((from == null ? "server" : from.identity()) + "/" + topic + "/" + new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public void onParticipantDisconnected(RemoteParticipant participant) {
            left.add(participant.identity());
        }
    }

    @BeforeEach
    void start() throws Exception {
        InteropEnvironment.assumeNode();
        InteropEnvironment.assumeNpmPackage("livekit-server-sdk");
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        sdk = new ServerSdk(server.httpUrl(), ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET);
    }

    @AfterEach
    void stop() {
        clients.forEach(RtcRoom::disconnect);
        if (sdk != null) {
            sdk.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private RtcRoom join(String token, Seen seen) {
        RtcRoom room = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        clients.add(room);
        room.addListener(seen);
        return room;
    }

    private static List<String> names(JsonElement array, String field) {
        return StreamSupport.stream(array.getAsJsonArray().spliterator(), false)
                .map(e -> e.getAsJsonObject().get(field).getAsString()).toList();
    }

    @Test
    void roomServiceAndAgentDispatchThroughTheOfficialNodeSdk() throws Exception {
        // CreateRoom, ListRooms
        JsonObject created = sdk.call("createRoom", ROOM, "120", "7", "{\"topic\":\"interop\"}").orThrow().getAsJsonObject();
        assertThat(created.get("name").getAsString()).isEqualTo(ROOM);
        assertThat(created.get("sid").getAsString()).startsWith("RM_");
        assertThat(created.get("emptyTimeout").getAsInt()).isEqualTo(120);
        assertThat(created.get("departureTimeout").getAsInt()).isEqualTo(7);
        assertThat(created.get("metadata").getAsString()).isEqualTo("{\"topic\":\"interop\"}");
        sdk.call("createRoom", "other-room").orThrow();
        assertThat(names(sdk.call("listRooms").orThrow(), "name")).containsExactlyInAnyOrder(ROOM, "other-room");
        assertThat(names(sdk.call("listRooms", ROOM).orThrow(), "sid")).containsExactly(created.get("sid").getAsString());

        // two of our clients join; alice with a token the SDK signed
        String aliceToken = sdk.call("token", ROOM, "alice", "Alice").orThrow().getAsString();
        Seen aliceSaw = new Seen();
        RtcRoom alice = join(aliceToken, aliceSaw);
        Seen bobSaw = new Seen();
        RtcRoom bob = join(AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET,
                ROOM, "bob", "Bob", System.currentTimeMillis(), Duration.ofMinutes(10)), bobSaw);
        assertThat(alice.sid()).isEqualTo(created.get("sid").getAsString());
        assertThat(alice.metadata()).isEqualTo("{\"topic\":\"interop\"}");
        await().atMost(WAIT).until(() -> alice.remoteParticipants().containsKey("bob"));

        // ListParticipants, GetParticipant
        JsonElement listed = sdk.call("listParticipants", ROOM).orThrow();
        assertThat(names(listed, "identity")).containsExactlyInAnyOrder("alice", "bob");
        assertThat(names(listed, "name")).containsExactlyInAnyOrder("Alice", "Bob");
        assertThat(names(listed, "sid")).containsExactlyInAnyOrder(alice.localParticipant().sid(), bob.localParticipant().sid());
        JsonObject bobInfo = sdk.call("getParticipant", ROOM, "bob").orThrow().getAsJsonObject();
        assertThat(bobInfo.get("sid").getAsString()).isEqualTo(bob.localParticipant().sid());
        assertThat(bobInfo.get("state").getAsString()).isIn("JOINED", "ACTIVE");

        // SendData from the server: to alice only, then to everyone
        sdk.call("sendData", ROOM, "chat", "hello alice", "alice").orThrow();
        await().atMost(WAIT).until(() -> aliceSaw.data.contains("server/chat/hello alice"));
        sdk.call("sendData", ROOM, "news", "hello all").orThrow();
        await().atMost(WAIT).until(() -> aliceSaw.data.contains("server/news/hello all")
                && bobSaw.data.contains("server/news/hello all"));
        assertThat(bobSaw.data).doesNotContain("server/chat/hello alice");

        // RemoveParticipant: bob is told why, alice sees him leave, the list shrinks
        sdk.call("removeParticipant", ROOM, "bob").orThrow();
        assertThat(bobSaw.disconnected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("PARTICIPANT_REMOVED");
        assertThat(bob.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        await().atMost(WAIT).until(() -> aliceSaw.left.contains("bob"));
        assertThat(names(sdk.call("listParticipants", ROOM).orThrow(), "identity")).containsExactly("alice");
        // refusals come back as the SDK's TwirpError
        ServerSdk.Answer missing = sdk.call("removeParticipant", ROOM, "bob");
        assertThat(missing.ok()).isFalse();
        assertThat(missing.error().get("status").getAsInt()).isEqualTo(404);
        assertThat(missing.error().get("code").getAsString()).isEqualTo("not_found");

        // AgentDispatchService: create, list, delete
        JsonObject dispatch = sdk.call("createDispatch", ROOM, "interop-agent", "{\"k\":1}").orThrow().getAsJsonObject();
        assertThat(dispatch.get("id").getAsString()).startsWith("AD_");
        assertThat(dispatch.get("agentName").getAsString()).isEqualTo("interop-agent");
        assertThat(dispatch.get("room").getAsString()).isEqualTo(ROOM);
        assertThat(dispatch.get("metadata").getAsString()).isEqualTo("{\"k\":1}");
        JsonElement dispatches = sdk.call("listDispatch", ROOM).orThrow();
        assertThat(names(dispatches, "id")).contains(dispatch.get("id").getAsString());
        assertThat(server.dispatches(ROOM)).anyMatch(d -> d.getId().equals(dispatch.get("id").getAsString()));
        sdk.call("deleteDispatch", ROOM, dispatch.get("id").getAsString()).orThrow();
        assertThat(names(sdk.call("listDispatch", ROOM).orThrow(), "id")).doesNotContain(dispatch.get("id").getAsString());

        // DeleteRoom: alice is told ROOM_DELETED; the room is gone from the list
        sdk.call("deleteRoom", ROOM).orThrow();
        assertThat(aliceSaw.disconnected.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ROOM_DELETED");
        assertThat(names(sdk.call("listRooms").orThrow(), "name")).containsExactly("other-room");
    }

    @Test
    void aWrongSecretIsRefusedAsTheSdkExpects() throws Exception {
        ServerSdk.Answer refused;
        try (ServerSdk wrongSecret = new ServerSdk(server.httpUrl(), ServerConfig.DEFAULT_API_KEY, "not-the-secret")) {
            refused = wrongSecret.call("listRooms");
        }
        assertThat(refused.ok()).isFalse();
        assertThat(refused.error().get("status").getAsInt()).isEqualTo(401);
        assertThat(refused.error().get("code").getAsString()).isEqualTo("unauthenticated");
    }
}
