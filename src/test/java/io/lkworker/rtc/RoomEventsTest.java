package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RoomListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link RoomEvents} without a room: a blocked listener neither grows the heap without bound (data
 * messages are dropped, counted and logged; structural events are kept) nor keeps internal watchers
 * from seeing events.
 */
class RoomEventsTest {

    /** Generous for what takes microseconds, so a loaded build machine does not fail the test. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    /** Far more data messages than the bound, as a chatty participant sends to a slow agent. */
    private static final int FLOOD = 20 * RoomEvents.MAX_QUEUED_DATA_EVENTS;

    /** LiveKit's largest data message ({@code DataOptions.MAX_SIZE}). */
    private static final int LARGEST_MESSAGE = 64_000;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RoomEvents.class);
    private RoomEvents events;

    @BeforeEach
    void start() {
        logs.start();
        logger.addAppender(logs);
        events = new RoomEvents("flood-room");
    }

    @AfterEach
    void stop() {
        events.finish();
        logger.detachAppender(logs);
    }

    /** Blocks in its first data message until released; counts what it gets. */
    private static final class SlowListener implements RoomListener {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger data = new AtomicInteger();
        final List<String> structural = new CopyOnWriteArrayList<>();

        @Override
        public void onDataReceived(byte[] payload, RemoteParticipant from, String topic) {
            if (data.getAndIncrement() == 0) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void onReconnecting() {
            structural.add("reconnecting");
        }

        @Override
        public void onReconnected() {
            structural.add("reconnected");
        }

        @Override
        public void onDisconnected(String reason) {
            structural.add("disconnected " + reason);
        }
    }

    private void data(int bytes) {
        byte[] payload = new byte[bytes];
        events.emitData(payload, null, "chat");
    }

    @Test
    void aFloodOfDataForABlockedListenerIsBoundedDroppedCountedAndLoggedWhileStructuralEventsAreKept()
            throws Exception {
        SlowListener slow = new SlowListener();
        events.add(slow);
        data(100);
        assertThat(slow.blocked.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        int structuralSent = 0;
        for (int i = 0; i < FLOOD; i++) {
            data(100);
            if (i % 1000 == 0) {
                events.emit("onReconnecting", RoomListener::onReconnecting);
                events.emit("onReconnected", RoomListener::onReconnected);
                structuralSent += 2;
            }
        }
        events.emit("onDisconnected", l -> l.onDisconnected("SIGNAL_CLOSE"));
        structuralSent++;

        assertThat(events.queuedDataEvents()).isLessThanOrEqualTo(RoomEvents.MAX_QUEUED_DATA_EVENTS);
        assertThat(events.queuedEvents()).as("what waits for the blocked listener")
                .isLessThanOrEqualTo(RoomEvents.MAX_QUEUED_DATA_EVENTS + structuralSent);
        // the first message (being delivered) and MAX - 1 more wait; the rest were dropped
        long accepted = RoomEvents.MAX_QUEUED_DATA_EVENTS;
        assertThat(events.droppedDataEvents()).isEqualTo(1 + FLOOD - accepted);
        assertThat(logs.list).as("no WARN until the episode ends").noneMatch(e -> e.getLevel() == Level.WARN);

        slow.release.countDown();
        int sent = structuralSent;
        await().atMost(PROMPTLY).until(() -> slow.structural.size() == sent);
        assertThat(slow.structural).startsWith("reconnecting", "reconnected").endsWith("disconnected SIGNAL_CLOSE");
        await().atMost(PROMPTLY).until(() -> events.queuedDataEvents() == 0);
        assertThat(slow.data.get()).isEqualTo(accepted);
        assertThat(events.queuedDataBytes()).isZero();

        List<String> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("room flood-room").contains("dropped " + (1 + FLOOD - accepted) + " data messages");

        // caught up: data is delivered again
        data(100);
        await().atMost(PROMPTLY).until(() -> slow.data.get() == accepted + 1);
    }

    @Test
    void largeDataMessagesAreBoundedByTheirBytes() throws Exception {
        SlowListener slow = new SlowListener();
        events.add(slow);
        data(LARGEST_MESSAGE);
        assertThat(slow.blocked.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (int i = 0; i < RoomEvents.MAX_QUEUED_DATA_EVENTS; i++) {
            data(LARGEST_MESSAGE);
        }
        long fit = RoomEvents.MAX_QUEUED_DATA_BYTES / LARGEST_MESSAGE;
        assertThat(events.queuedDataBytes()).isLessThanOrEqualTo(RoomEvents.MAX_QUEUED_DATA_BYTES);
        assertThat(events.queuedDataEvents()).isEqualTo((int) fit);
        assertThat(events.droppedDataEvents()).isEqualTo(1 + RoomEvents.MAX_QUEUED_DATA_EVENTS - fit);
        slow.release.countDown();
        await().atMost(PROMPTLY).until(() -> slow.data.get() == fit);
    }

    @Test
    void watchersAreCalledAtEmitTimeEvenWhileTheEventThreadIsBlocked() throws Exception {
        SlowListener slow = new SlowListener();
        events.add(slow);
        data(1);
        assertThat(slow.blocked.await(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        List<String> watched = new CopyOnWriteArrayList<>();
        events.watch(new RoomListener() {
            @Override
            public void onDisconnected(String reason) {
                watched.add(reason + " on " + Thread.currentThread().getName());
            }
        });
        events.emit("onDisconnected", l -> l.onDisconnected("ROOM_DELETED"));
        assertThat(watched).containsExactly("ROOM_DELETED on " + Thread.currentThread().getName());
        assertThat(slow.structural).as("the listener still waits behind its blocked call").isEmpty();

        slow.release.countDown();
        await().atMost(PROMPTLY).until(() -> slow.structural.contains("disconnected ROOM_DELETED"));
    }

    @Test
    void dataBeforeTheFirstListenerCountsAgainstTheBoundUntilDelivered() {
        for (int i = 0; i < 2 * RoomEvents.MAX_QUEUED_DATA_EVENTS; i++) {
            data(10);
        }
        events.emit("onReconnecting", RoomListener::onReconnecting);
        await().atMost(PROMPTLY).until(() -> events.queuedEvents() == 0); // all in the backlog now
        assertThat(events.queuedDataEvents()).isEqualTo(RoomEvents.MAX_QUEUED_DATA_EVENTS);
        assertThat(events.droppedDataEvents()).isEqualTo(RoomEvents.MAX_QUEUED_DATA_EVENTS);

        SlowListener first = new SlowListener();
        first.release.countDown();
        events.add(first);
        await().atMost(PROMPTLY).until(() -> first.structural.contains("reconnecting"));
        assertThat(first.data.get()).isEqualTo(RoomEvents.MAX_QUEUED_DATA_EVENTS);
        assertThat(events.queuedDataEvents()).isZero();
    }
}
