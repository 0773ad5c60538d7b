package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue under {@link AudioStream} and {@link VideoStream}: one producer (a media thread, which
 * must never block) adds frames, readers block for them; at most {@code capacity} wait, and when a
 * reader falls further behind the oldest go, counted. Once ended, readers get what is queued, then null.
 */
final class DropOldestQueue<T> implements Iterable<T> {

    /** What {@link #add} did. */
    enum Added { QUEUED, DROPPED_OLDEST_FIRST_TIME, DROPPED_OLDEST, IGNORED_ENDED }

    private final int capacity;
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private long received;
    private long dropped;
    private boolean ended;

    DropOldestQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 frame, got " + capacity);
        }
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Producer side; never blocks. Tells the caller when the first frame was dropped (to warn once). */
    Added add(T frame) {
        lock.lock();
        try {
            if (ended) {
                return Added.IGNORED_ENDED;
            }
            received++;
            Added result = Added.QUEUED;
            if (queue.size() >= capacity) {
                queue.poll();
                dropped++;
                result = dropped == 1 ? Added.DROPPED_OLDEST_FIRST_TIME : Added.DROPPED_OLDEST;
            }
            queue.add(frame);
            available.signalAll();
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the queue; returns the frames dropped if this call ended it, else 0 (to log a total once). */
    long end() {
        lock.lock();
        try {
            long total = ended ? 0 : dropped;
            ended = true;
            available.signalAll();
            return total;
        } finally {
            lock.unlock();
        }
    }

    T read() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !ended) {
                available.await();
            }
            return queue.poll();
        } finally {
            lock.unlock();
        }
    }

    T poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !ended && nanos > 0) {
                nanos = available.awaitNanos(nanos);
            }
            return queue.poll();
        } finally {
            lock.unlock();
        }
    }

    boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Iterates until the queue ends. {@code hasNext} blocks; an interrupt while it waits ends the
     * iteration and keeps the thread's interrupt flag set.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = read();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T f = next;
                next = null;
                return f;
            }
        };
    }
}
