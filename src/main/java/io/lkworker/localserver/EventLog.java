package io.lkworker.localserver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server saw (messages, upgrade attempts), the embedder's listeners, and the wait/notify
 * that lets control-API callers block until some condition on the server's state holds.
 *
 * <p>Every state change that an {@code await…} could be waiting for must call {@link #changed()}
 * (recording does it). Probes run without holding this object's monitor, so they may take the
 * sessions' locks freely.
 */
final class EventLog {

    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final List<ReceivedMessage> messages = new ArrayList<>();
    private final List<ConnectionAttempt> attempts = new ArrayList<>();
    private final List<ServerListener> listeners = new CopyOnWriteArrayList<>();
    /** Bumped on every change; awaiters sleep until it moves. Guarded by {@code this}. */
    private long version;

    void addListener(ServerListener l) {
        listeners.add(l);
    }

    void removeListener(ServerListener l) {
        listeners.remove(l);
    }

    void recordMessage(ReceivedMessage m) {
        synchronized (this) {
            messages.add(m);
        }
        changed();
        fire(l -> l.onMessage(m));
    }

    void recordAttempt(ConnectionAttempt a) {
        synchronized (this) {
            attempts.add(a);
        }
        changed();
        fire(l -> l.onConnectionAttempt(a));
    }

    synchronized List<ReceivedMessage> messages() {
        return List.copyOf(messages);
    }

    synchronized List<ConnectionAttempt> attempts() {
        return List.copyOf(attempts);
    }

    synchronized void changed() {
        version++;
        notifyAll();
    }

    /** Runs {@code event} for every listener on the calling thread; a failing listener is logged. */
    void fire(Consumer<ServerListener> event) {
        for (ServerListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("server listener {} failed", l, e);
            }
        }
    }

    /**
     * Blocks until {@code probe} yields a value, re-probing after each change.
     *
     * @throws AwaitTimeoutException naming {@code what} when the timeout passes first
     */
    <T> T await(Supplier<Optional<T>> probe, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen;
            synchronized (this) {
                seen = version;
            }
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            synchronized (this) {
                while (version == seen) {
                    long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                    if (remainingMs <= 0) {
                        throw new AwaitTimeoutException("timed out after " + timeout + " waiting for " + what);
                    }
                    try {
                        wait(remainingMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AwaitTimeoutException("interrupted while waiting for " + what);
                    }
                }
            }
        }
    }
}
