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
 */
final class RoomEvents {

    private static final Logger log = LoggerFactory.getLogger(RoomEvents.class);

    private final List<RoomListener> listeners = new CopyOnWriteArrayList<>();
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

    void add(RoomListener listener) {
        listeners.add(listener);
    }

    void remove(RoomListener listener) {
        listeners.remove(listener);
    }

    /** Queues {@code event} for every listener registered when it runs. */
    void emit(String what, Consumer<RoomListener> event) {
        try {
            thread.execute(() -> {
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                for (RoomListener l : listeners) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        log.error("room listener failed in {}", what, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("room closed; dropping {}", what);
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
