package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
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
 */
final class RoomEvents {

    private static final Logger log = LoggerFactory.getLogger(RoomEvents.class);

    /** At most this many events wait for the first listener; older ones are dropped beyond. */
    private static final int MAX_BACKLOG = 1000;

    private final List<RoomListener> listeners = new CopyOnWriteArrayList<>();
    private final List<RoomListener> watchers = new CopyOnWriteArrayList<>();
    /** Events before the first listener; guarded by this, touched on the event thread only after creation. */
    private final java.util.ArrayDeque<Named> backlog = new java.util.ArrayDeque<>();
    private boolean firstListenerAdded;

    private record Named(String what, Consumer<RoomListener> event) {
    }
    private final ExecutorService thread;
    private final java.util.Map<String, String> mdc;
    private final String name;

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
                    call(listener, n.what(), n.event());
                }
            }
        });
    }

    /** Adds an internal watcher: it sees events from now on, and leaves the backlog to the agent's listener. */
    void watch(RoomListener watcher) {
        watchers.add(watcher);
    }

    void remove(RoomListener listener) {
        listeners.remove(listener);
        watchers.remove(listener);
    }

    /** Queues {@code event} for every listener registered when it runs. */
    void emit(String what, Consumer<RoomListener> event) {
        run(what, () -> {
            for (RoomListener w : watchers) {
                call(w, what, event);
            }
            if (!firstListenerAdded) {
                if (backlog.size() >= MAX_BACKLOG) {
                    backlog.poll();
                }
                backlog.add(new Named(what, event));
                return;
            }
            for (RoomListener l : listeners) {
                call(l, what, event);
            }
        });
    }

    private void run(String what, Runnable task) {
        try {
            thread.execute(() -> {
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                task.run();
            });
        } catch (RejectedExecutionException e) {
            log.debug("room closed; dropping {}", what);
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
    }

    /** True when called on the event thread (a listener calling back into the room). */
    boolean onEventThread() {
        return Thread.currentThread().getName().equals(name);
    }
}
