package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The room counts a job reports to the daemon: read from the room when due, coalesced, never repeated. */
class RoomStatsReporterTest {

    /** A room whose remote participants the test sets; it keeps the listener the reporter adds. */
    private static final class FakeRoom {
        final Map<String, RemoteParticipant> participants = new ConcurrentHashMap<>();
        volatile RoomListener listener;

        Room room() {
            return (Room) Proxy.newProxyInstance(Room.class.getClassLoader(), new Class<?>[] {Room.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "remoteParticipants" -> Map.copyOf(participants);
                        case "addListener" -> {
                            listener = (RoomListener) args[0];
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        void put(String identity, int tracks) {
            Map<String, RemoteTrackPublication> published = new HashMap<>();
            for (int i = 0; i < tracks; i++) {
                published.put("TR_" + identity + i, null);
            }
            participants.put(identity, (RemoteParticipant) Proxy.newProxyInstance(RemoteParticipant.class.getClassLoader(),
                    new Class<?>[] {RemoteParticipant.class}, (proxy, method, args) -> {
                        if (method.getName().equals("trackPublications")) {
                            return java.util.Collections.unmodifiableMap(published);
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }));
        }
    }

    @Test
    void reportsAtOnceThenABurstOfChangesAsOneAndNeverTheSameCountsTwice() {
        FakeRoom fake = new FakeRoom();
        List<RoomStatsReporter.Counts> sent = new CopyOnWriteArrayList<>();
        RoomStatsReporter.attach(fake.room(), sent::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        assertThat(sent).containsExactly(new RoomStatsReporter.Counts(0, 0));

        // three people join and two publish, event after event: one report with where it ended up
        fake.put("alice", 1);
        fake.listener.onParticipantConnected(null);
        fake.put("bob", 0);
        fake.listener.onParticipantConnected(null);
        fake.put("carol", 1);
        fake.listener.onParticipantConnected(null);
        fake.listener.onTrackPublished(null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);

        assertThat(sent).containsExactly(new RoomStatsReporter.Counts(0, 0), new RoomStatsReporter.Counts(3, 2));

        fake.participants.remove("bob");
        fake.participants.remove("carol");
        fake.listener.onParticipantDisconnected(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
        assertThat(sent.get(2)).isEqualTo(new RoomStatsReporter.Counts(1, 1));
    }

    @Test
    void countsThatDidNotChangeAreNotSentAgain() {
        FakeRoom fake = new FakeRoom();
        fake.put("alice", 1);
        List<RoomStatsReporter.Counts> sent = new CopyOnWriteArrayList<>();
        RoomStatsReporter reporter = RoomStatsReporter.attach(fake.room(), sent::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);

        reporter.report();
        reporter.report();
        assertThat(sent).containsExactly(new RoomStatsReporter.Counts(1, 1));
        fake.put("bob", 0);
        reporter.report();
        assertThat(sent).containsExactly(new RoomStatsReporter.Counts(1, 1), new RoomStatsReporter.Counts(2, 1));
        reporter.onDisconnected("ROOM_DELETED");
        fake.put("carol", 0);
        reporter.report();
        assertThat(sent).as("nothing after the room is gone").hasSize(2);
    }

    @Test
    void countsAreParticipantsAndTheTracksTheyPublish() {
        FakeRoom fake = new FakeRoom();
        fake.put("alice", 2);
        fake.put("bob", 1);
        fake.put("carol", 0);
        assertThat(RoomStatsReporter.count(fake.participants)).isEqualTo(new RoomStatsReporter.Counts(3, 3));
    }
}
