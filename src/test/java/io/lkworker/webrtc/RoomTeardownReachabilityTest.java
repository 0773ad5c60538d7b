package io.lkworker.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2, "no leak per room": once a room is over, nothing of it may stay reachable, on the
 * client side (our room client) or on the embedded server (which runs for days under {@code lk-worker
 * dev}). webrtc-java keeps every observer and sink it was given behind a JNI global reference, some for
 * ever (webrtc-java issue #146), so a reference chain from one of them to a session keeps the whole
 * room alive. Counted by package prefix in the live-heap histogram, so that the client's refactoring
 * into other classes is still covered.
 */
@Tag("rtc")
class RoomTeardownReachabilityTest {

    /** Rooms after the warm-up one: a leak shows as a count that grows with them. */
    private static final int ROOMS = 3;
    /**
     * How long the last closing steps may lag a room's deletion: client threads finish their queues,
     * libwebrtc's signalling thread drops its last callbacks. Seconds in practice; each check collects.
     */
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

    /**
     * Classes allowed to stay: the shared engine and its pump (one per process), constants, and the
     * data-channel observer shells that webrtc-java 0.14.0 never releases (issue #146:
     * {@code unregisterObserver} does not delete the native observer), which hold nothing once their
     * link is closed. Any shell still holding its link shows up as a live {@code DataChannelLink}.
     */
    private static final Set<String> ALLOWED = Set.of(
            "io.lkworker.webrtc.MediaEngine",
            "io.lkworker.webrtc.AudioPump",
            "io.lkworker.webrtc.DataChannelLink$Relay",
            // ConnectProgress.NONE: the no-op listener of a connect, one constant per process
            "io.lkworker.rtc.ConnectProgress$1");
    /** Test classes (JUnit keeps instances of the classes run before this one in the same JVM). */
    private static final java.util.regex.Pattern TEST_CLASS = java.util.regex.Pattern.compile(".*Test(\\$.*)?");

    /** Everything of a room: the client package, our WebRTC wrappers, the server's room and media objects. */
    private static final Predicate<String> PER_ROOM = name -> !name.contains("$$Lambda") && !ALLOWED.contains(name)
            && !TEST_CLASS.matcher(name).matches()
            && (name.startsWith("io.lkworker.rtc.")
            || name.startsWith("io.lkworker.webrtc.")
            || name.startsWith("io.lkworker.localserver.room.LocalRoom")
            || name.startsWith("io.lkworker.localserver.room.ParticipantSession")
            || name.startsWith("io.lkworker.localserver.room.SubscriberOffers")
            || name.startsWith("io.lkworker.localserver.room.RoomTracks")
            || name.startsWith("io.lkworker.localserver.room.RoomData")
            || name.startsWith("io.lkworker.localserver.room.RoomSignals")
            || name.startsWith("io.lkworker.localserver.room.ParticipantUpdates")
            || name.startsWith("io.lkworker.localserver.room.JoinMessages")
            || name.startsWith("io.lkworker.localserver.media.")
            || name.equals("io.lkworker.api.rtc.AudioStream"));

    private LocalLiveKitServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void nothingOfAClosedRoomStaysReachable() throws Exception {
        RoomCycle.run(server, "reach-warm-up");
        for (int i = 0; i < ROOMS; i++) {
            RoomCycle.run(server, "reach-" + i);
        }
        assertThat(server.openRooms()).isEmpty();

        AtomicReference<Map<String, Long>> last = new AtomicReference<>();
        try {
            await().atMost(SETTLE_TIMEOUT).pollInterval(CHECK_INTERVAL).until(() -> {
                last.set(new TreeMap<>(LiveClasses.count(PER_ROOM)));
                return last.get().isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the failure shows what is left, by class
        }
        assertThat(last.get()).as("live instances, after %d closed rooms, of classes that belong to a room", ROOMS + 1)
                .isEmpty();
    }
}
