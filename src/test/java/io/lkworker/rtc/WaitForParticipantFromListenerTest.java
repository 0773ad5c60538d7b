package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code waitForParticipant} called from a room listener, on the room's event thread (the thread
 * that delivers participants to listeners) gets the participant: the job context's
 * {@code waitForParticipant} is this call on the job's room.
 */
@Tag("rtc")
class WaitForParticipantFromListenerTest {

    /**
     * How long the listener waits for the second participant: joining takes well under a second on
     * loopback, so this only bounds a failing test (which used to wait for ever, or time out).
     */
    private static final Duration PARTICIPANT_WAIT = Duration.ofSeconds(20);

    private LocalLiveKitServer server;
    private final List<RtcRoom> rooms = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        rooms.forEach(RtcRoom::disconnect);
        server.close();
    }

    private RtcRoom join(String room, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity + " name", System.currentTimeMillis(), Duration.ofMinutes(10));
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        rooms.add(r);
        return r;
    }

    @Test
    void aListenerWaitingForASecondParticipantGetsIt() throws Exception {
        RtcRoom agent = join("wait-in-listener", "agent");
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<RemoteParticipant> second = new CompletableFuture<>();
        List<String> connected = new CopyOnWriteArrayList<>();
        agent.addListener(new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant participant) {
                connected.add(participant.identity());
                if (!participant.identity().equals("first")) {
                    return;
                }
                waiting.countDown();
                try {
                    second.complete(agent.waitForParticipant(p -> p.identity().equals("second"), PARTICIPANT_WAIT));
                } catch (Exception e) {
                    second.completeExceptionally(e);
                }
            }
        });

        join("wait-in-listener", "first");
        assertThat(waiting.await(PARTICIPANT_WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        join("wait-in-listener", "second");

        RemoteParticipant got = second.get(2 * PARTICIPANT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.identity()).isEqualTo("second");
        assertThat(agent.remoteParticipants()).containsKeys("first", "second");
        // the second participant is still announced to the listener, after the wait returned
        org.awaitility.Awaitility.await().atMost(PARTICIPANT_WAIT).until(() -> connected.contains("second"));
        assertThat(connected).containsExactly("first", "second");
    }
}
