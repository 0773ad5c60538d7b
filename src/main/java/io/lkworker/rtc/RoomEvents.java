package io.lkworker.rtc;

import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RoomListener;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The room's listeners and the one thread that calls them, in order. A slow listener delays later
 * events of this room, never the session (signalling, media) itself.
 *
 * <p>Events that happen before the agent adds its first listener (between {@code connect()}
 * returning and {@code addListener}: another participant joining, a track subscribed) are kept and
 * delivered to that first listener, so none is lost to the race. Internal watchers
 * ({@link #watch}) neither receive nor consume that backlog.
 *
 * <p>What waits for a slow listener is bounded. Data messages ({@code onDataReceived}) are dropped,
 * counted ({@link #droppedDataEvents()}) and logged (one WARN per episode, with the count) while
 * more than {@link #MAX_QUEUED_DATA_EVENTS} of them or {@link #MAX_QUEUED_DATA_BYTES} of payload
 * wait: other participants send them at any rate, and a listener that cannot keep up would
 * otherwise hold them all in memory (one chatty participant grew a slow agent's heap by 162 MB in
 * 10 s). Every other event (participants, tracks, mutes, metadata, name and attributes,
 * reconnecting/reconnected, disconnected) is structural and never dropped here: they are bounded by
 * the room's size, and losing one would leave the agent's view of the room wrong for good. (Before
 * the first listener, the backlog keeps at most {@link #MAX_BACKLOG} events of any kind.)
 */
final class RoomEvents {

    private static final Logger log = LoggerFactory.getLogger(RoomEvents.class);

    /** At most this many events wait for the first listener; older ones are dropped beyond. */
    private static final int MAX_BACKLOG = 1000;

    /** The name {@link #emit} is given for a data message: such events are the droppable ones. */
    static final String DATA_EVENT = "onDataReceived";

    /**
     * Data messages that may wait for the listeners (queued or in the backlog); more are dropped.
     * A listener that handles each in 10 ms is then 5 s behind, later than any answer is useful; it
     * is half of {@link #MAX_BACKLOG}, so a flood before the first listener cannot push structural
     * events out of the backlog alone.
     */
    static final int MAX_QUEUED_DATA_EVENTS = 500;

    /**
     * Payload bytes of the data messages that may wait; more are dropped. Each room of a job process
     * has its own, so this is per room: 8 MiB is 130 of LiveKit's largest (64 000 bytes) messages,
     * plenty for bursts of ordinary chat and state messages, and a few hundred milliseconds of the
     * flood that grew a heap by 16 MB a second.
     */
    static final long MAX_QUEUED_DATA_BYTES = 8L << 20;

    /**
     * An episode of dropping ends, and its WARN with the count is written, once the waiting data
     * falls to half the bounds (the listener caught up; half, so a listener hovering at the bound
     * does not log once per message), when the room's events finish, or at the next drop after this
     * long, so that a flood that never stops is reported this often, not never.
     */
    static final long DROP_EPISODE_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final List<RoomListener> listeners = new CopyOnWriteArrayList<>();
    private final List<RoomListener> watchers = new CopyOnWriteArrayList<>();
    /** Events before the first listener; touched on the event thread only. */
    private final ArrayDeque<Named> backlog = new ArrayDeque<>();
    private boolean firstListenerAdded;

    /** An event; {@code dataBytes} is its payload size for a data message, -1 for a structural event. */
    private record Named(String what, Consumer<RoomListener> event, long dataBytes) {
        boolean isData() {
            return dataBytes >= 0;
        }
    }

    private final ThreadPoolExecutor thread;
    private final Map<String, String> mdc;
    private final String name;

    /** Guards the data accounting below; held for a few arithmetic operations only. */
    private final Object dataLock = new Object();
    private int queuedDataEvents;
    private long queuedDataBytes;
    private long droppedDataEvents;
    private long droppedInEpisode;
    private long episodeStart;

    RoomEvents(String name) {
        this.name = name;
        this.mdc = MDC.getCopyOfContextMap();
        this.thread = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds an agent's listener; the first one also gets the events that happened before it (on the event thread). */
    void add(RoomListener listener) {
        run("backlog", () -> {
            listeners.add(listener);
            if (!firstListenerAdded) {
                firstListenerAdded = true;
                while (!backlog.isEmpty()) {
                    Named n = backlog.poll();
                    try {
                        call(listener, n.what(), n.event());
                    } finally {
                        delivered(n);
                    }
                }
            }
        });
    }

    /**
     * Adds an internal watcher: it sees events from now on, and leaves the backlog to the agent's
     * listener. Watchers are called synchronously by {@link #emit}, on the emitting (session) thread,
     * before the event is queued for the listeners, so a watcher works even while the event thread is
     * blocked, for instance in a listener that waits for a participant ({@code waitForParticipant}
     * is a watcher). So a watcher must be cheap and must never block: it holds up the session
     * (signalling, media) while it runs. It may run at the same time as listeners.
     */
    void watch(RoomListener watcher) {
        watchers.add(watcher);
    }

    void remove(RoomListener listener) {
        listeners.remove(listener);
        watchers.remove(listener);
    }

    /** Calls the watchers now, then queues {@code event} for every listener registered when it runs. */
    void emit(String what, Consumer<RoomListener> event) {
        callWatchers(what, event);
        queue(new Named(what, event, -1));
    }

    /**
     * Emits a data message (each listener gets its own copy of the payload); it may be dropped instead
     * of queued while the listeners are far behind, see the class comment.
     */
    void emitData(byte[] payload, RemoteParticipant from, String topic) {
        Consumer<RoomListener> event = l -> l.onDataReceived(payload.clone(), from, topic);
        callWatchers(DATA_EVENT, event);
        queueData(new Named(DATA_EVENT, event, payload.length));
    }

    private void callWatchers(String what, Consumer<RoomListener> event) {
        for (RoomListener w : watchers) {
            call(w, what, event);
        }
    }

    private void queueData(Named n) {
        boolean accepted;
        String episodeReport = null;
        synchronized (dataLock) {
            accepted = queuedDataEvents < MAX_QUEUED_DATA_EVENTS
                    && queuedDataBytes + n.dataBytes() <= MAX_QUEUED_DATA_BYTES;
            if (accepted) {
                queuedDataEvents++;
                queuedDataBytes += n.dataBytes();
            } else {
                droppedDataEvents++;
                long now = System.nanoTime();
                if (droppedInEpisode > 0 && now - episodeStart > DROP_EPISODE_MAX_NANOS) {
                    episodeReport = endEpisode(now);
                }
                if (droppedInEpisode == 0) {
                    episodeStart = now;
                }
                droppedInEpisode++;
            }
        }
        if (episodeReport != null) {
            log.warn(episodeReport);
        }
        if (accepted) {
            queue(n);
        }
    }

    /** Under dataLock: the WARN line for the episode ending now, and a fresh count. */
    private String endEpisode(long now) {
        String report = "room " + name + ": dropped " + droppedInEpisode + " data messages (onDataReceived) in "
                + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(now - episodeStart)) + " s: the room's listeners were "
                + MAX_QUEUED_DATA_EVENTS + " messages or " + (MAX_QUEUED_DATA_BYTES >> 20)
                + " MiB behind (a listener is slow or blocked)";
        droppedInEpisode = 0;
        return report;
    }

    private void queue(Named n) {
        if (!run(n.what(), () -> deliver(n))) {
            delivered(n);
        }
    }

    /** Event thread: hands {@code n} to the listeners, or keeps it for the first one. */
    private void deliver(Named n) {
        if (!firstListenerAdded) {
            if (backlog.size() >= MAX_BACKLOG) {
                delivered(backlog.poll());
            }
            backlog.add(n);
            return;
        }
        try {
            for (RoomListener l : listeners) {
                call(l, n.what(), n.event());
            }
        } finally {
            delivered(n);
        }
    }

    /** {@code n} no longer waits (delivered, or dropped from the backlog): its data no longer counts. */
    private void delivered(Named n) {
        if (!n.isData()) {
            return;
        }
        String episodeReport = null;
        synchronized (dataLock) {
            queuedDataEvents--;
            queuedDataBytes -= n.dataBytes();
            if (droppedInEpisode > 0 && queuedDataEvents <= MAX_QUEUED_DATA_EVENTS / 2
                    && queuedDataBytes <= MAX_QUEUED_DATA_BYTES / 2) {
                episodeReport = endEpisode(System.nanoTime());
            }
        }
        if (episodeReport != null) {
            log.warn(episodeReport);
        }
    }

    /** Runs {@code task} on the event thread; false if the room's events are finished. */
    private boolean run(String what, Runnable task) {
        try {
            thread.execute(() -> {
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                task.run();
            });
            return true;
        } catch (RejectedExecutionException e) {
            log.debug("room closed; dropping {}", what);
            return false;
        }
    }

    private static void call(RoomListener l, String what, Consumer<RoomListener> event) {
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            log.error("room listener failed in {}", what, e);
        }
    }

    /** Lets queued events run, then lets the thread end. */
    void finish() {
        thread.shutdown();
        String episodeReport = null;
        synchronized (dataLock) {
            if (droppedInEpisode > 0) {
                episodeReport = endEpisode(System.nanoTime());
            }
        }
        if (episodeReport != null) {
            log.warn(episodeReport);
        }
    }

    /** True when called on the event thread (a listener calling back into the room). */
    boolean onEventThread() {
        return Thread.currentThread().getName().equals(name);
    }

    /** Data messages dropped so far because the listeners were too far behind (see the class comment). */
    long droppedDataEvents() {
        synchronized (dataLock) {
            return droppedDataEvents;
        }
    }

    /** Data messages waiting for the listeners now (queued, in the backlog, or being delivered). */
    int queuedDataEvents() {
        synchronized (dataLock) {
            return queuedDataEvents;
        }
    }

    /** Their payload bytes. */
    long queuedDataBytes() {
        synchronized (dataLock) {
            return queuedDataBytes;
        }
    }

    /** Events of any kind queued for the event thread, not yet started (not counting the backlog). */
    int queuedEvents() {
        return thread.getQueue().size();
    }
}
