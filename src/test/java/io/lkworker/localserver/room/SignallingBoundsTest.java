package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.UpdateParticipantMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One participant cannot freeze or exhaust the embedded server: a client that stops reading is
 * dropped while the room keeps serving others, a flooding client is dropped, a silent one is removed
 * after the ping timeout, and room and participant caps refuse before the upgrade.
 */
@Tag("rtc")
class SignallingBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What "promptly" means for a join while another client misbehaves (it used to take 48 s). */
    private static final Duration PROMPT = Duration.ofSeconds(3);

    private LocalLiveKitServer server;
    private final List<RawSignalClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawSignalClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(ServerConfig.Builder config) throws Exception {
        server = LocalLiveKitServer.create(config.build()).start();
    }

    private RawSignalClient join(String room, String identity) throws Exception {
        RawSignalClient c = RawSignalClient.join(server.port(), room, identity);
        clients.add(c);
        assertThat(c.upgrade().status()).isEqualTo(101);
        return c;
    }

    private List<String> identities(String room) {
        return server.participants(room).orElse(List.of()).stream().map(ParticipantInfo::getIdentity).toList();
    }

    /** Joins and asserts the JoinResponse comes within {@link #PROMPT}. */
    private RawSignalClient joinPromptly(String room, String identity) throws Exception {
        long start = System.nanoTime();
        RawSignalClient c = join(room, identity);
        assertThat(c.next(SignalResponse::hasJoin, PROMPT)).as("JoinResponse for %s within %s", identity, PROMPT)
                .isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
        return c;
    }

    @Test
    void aClientThatStopsReadingIsDroppedAndTheRoomKeepsServing() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient stuck = RawSignalClient.open(server.port(), "/rtc?protocol=16&access_token="
                + java.net.URLEncoder.encode(RawSignalClient.token("busy", "stuck"), java.nio.charset.StandardCharsets.UTF_8),
                false);
        clients.add(stuck);
        assertThat(stuck.upgrade().status()).isEqualTo(101);
        await().atMost(WAIT).until(() -> identities("busy").contains("stuck"));
        RawSignalClient talker = joinPromptly("busy", "talker");

        // 400 metadata updates of 60 KB, each broadcast to the stuck client: 24 MB, far more than the
        // socket buffers hold. The talker waits for each answer, as a well-behaved client does.
        String metadata = "x".repeat(60_000);
        for (int i = 1; i <= 400; i++) {
            talker.send(SignalRequest.newBuilder().setUpdateMetadata(UpdateParticipantMetadata.newBuilder()
                    .setMetadata(metadata + i).setRequestId(i)).build());
            int id = i;
            assertThat(talker.next(r -> r.hasRequestResponse() && r.getRequestResponse().getRequestId() == id, PROMPT))
                    .as("answer to update %d", i).isNotNull();
        }
        // The room thread is not stuck behind the stuck client: a newcomer is served at once.
        joinPromptly("busy", "newcomer");

        await().atMost(Duration.ofSeconds(15)).until(() -> !identities("busy").contains("stuck"));
        assertThat(identities("busy")).containsExactlyInAnyOrder("talker", "newcomer");
        talker.ping();
        assertThat(talker.next(SignalResponse::hasPong, PROMPT)).isNotNull();
    }

    @Test
    void aClientWhoseWritesStayBlockedIsDroppedAfterTheWriteTimeout() throws Exception {
        start(ServerConfig.builder());
        // A tiny receive window: the server's writes block once its send buffer is full, long before
        // its outbound queue could reach its bound (3 MB sent in all, under the 4 MiB bound).
        RawSignalClient stuck = RawSignalClient.open(server.port(), "/rtc?protocol=16&access_token="
                + java.net.URLEncoder.encode(RawSignalClient.token("slow", "stuck"), java.nio.charset.StandardCharsets.UTF_8),
                false, 4096);
        clients.add(stuck);
        await().atMost(WAIT).until(() -> identities("slow").contains("stuck"));
        RawSignalClient talker = joinPromptly("slow", "talker");
        String metadata = "y".repeat(60_000);
        for (int i = 1; i <= 50; i++) {
            talker.send(SignalRequest.newBuilder().setUpdateMetadata(UpdateParticipantMetadata.newBuilder()
                    .setMetadata(metadata + i).setRequestId(i)).build());
            int id = i;
            assertThat(talker.next(r -> r.hasRequestResponse() && r.getRequestResponse().getRequestId() == id, PROMPT))
                    .isNotNull();
        }
        long sent = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> !identities("slow").contains("stuck"));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("dropped by the write timeout, not the queue bound")
                .isGreaterThanOrEqualTo(SignalOutbox.WRITE_TIMEOUT.minusSeconds(1));
        assertThat(identities("slow")).containsExactly("talker");
    }

    @Test
    void aPingFloodGetsTheFlooderDroppedAndTheServerKeepsServing() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient calm = joinPromptly("flood", "calm");
        RawSignalClient flooder = RawSignalClient.open(server.port(), "/rtc?protocol=16&access_token="
                + java.net.URLEncoder.encode(RawSignalClient.token("flood", "flooder"), java.nio.charset.StandardCharsets.UTF_8),
                false);
        clients.add(flooder);
        await().atMost(WAIT).until(() -> identities("flood").contains("flooder"));

        SignalRequest ping = SignalRequest.newBuilder().setPing(1).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        boolean cut = false;
        while (System.nanoTime() < deadline && !cut) {
            try {
                flooder.writeBurst(ping, 10_000);
            } catch (IOException e) {
                cut = true; // the server dropped us
            }
            if (!identities("flood").contains("flooder")) {
                break;
            }
        }
        await().atMost(WAIT).until(() -> !identities("flood").contains("flooder"));
        assertThat(identities("flood")).containsExactly("calm");
        calm.ping();
        assertThat(calm.next(SignalResponse::hasPong, PROMPT)).isNotNull();
        joinPromptly("flood", "later");
    }

    @Test
    void aSilentClientIsRemovedAfterThePingTimeoutWhileOnesThatPingStay() throws Exception {
        start(ServerConfig.builder().ping(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        RawSignalClient silent = join("quiet", "silent");
        SignalResponse joined = silent.next(SignalResponse::hasJoin, WAIT);
        assertThat(joined.getJoin().getPingInterval()).isEqualTo(1);
        assertThat(joined.getJoin().getPingTimeout()).isEqualTo(3);
        RawSignalClient pinger = join("quiet", "pinger");
        assertThat(pinger.next(SignalResponse::hasJoin, WAIT)).isNotNull();
        long joinedAt = System.nanoTime();

        // The pinger pings every second, as told; the silent client sends nothing.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            pinger.ping();
            return !identities("quiet").contains("silent");
        });
        // Closed after the 3 s timeout, then 3 s more without a resume.
        assertThat(Duration.ofNanos(System.nanoTime() - joinedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(silent.ended()).isTrue();
        assertThat(identities("quiet")).containsExactly("pinger");
        assertThat(pinger.ended()).isFalse();
    }

    @Test
    void aFullRoomAndTooManyRoomsAreRefusedBeforeTheUpgrade() throws Exception {
        start(ServerConfig.builder().maxParticipantsPerRoom(2).maxRooms(1));
        joinPromptly("small", "one");
        joinPromptly("small", "two");

        RawSignalClient third = RawSignalClient.join(server.port(), "small", "three");
        clients.add(third);
        assertThat(third.upgrade().status()).isEqualTo(500);
        assertThat(third.upgrade().body()).contains("room has exceeded its max participants");
        RawSignalClient otherRoom = RawSignalClient.join(server.port(), "another", "four");
        clients.add(otherRoom);
        assertThat(otherRoom.upgrade().status()).isEqualTo(503);
        assertThat(otherRoom.upgrade().body()).contains("limit of 1 open rooms");
        // validate tells web clients the same
        java.net.http.HttpResponse<String> validate = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.httpUrl() + "/rtc/validate?access_token="
                        + java.net.URLEncoder.encode(RawSignalClient.token("small", "three"),
                        java.nio.charset.StandardCharsets.UTF_8))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(validate.statusCode()).isEqualTo(500);
        assertThat(validate.body()).contains("max participants");
        // The same identity joining again replaces itself (a full reconnect), full room or not.
        joinPromptly("small", "two");
        assertThat(identities("small")).containsExactlyInAnyOrder("one", "two");
    }
}
