package io.lkworker.localserver.http;

/**
 * A switch that holds the server's signalling, for tests and fault drills that need a server which
 * stops answering without closing anything (like a SIGSTOPped process): while paused, threads that
 * pass through {@link #awaitOpen()} wait. The HTTP front end passes it before reading a new
 * connection's request (so new connections are accepted by the kernel but not answered), and every
 * room signalling connection passes it before reading or writing a frame. Media and data channels do
 * not pass it, so they keep flowing. Thread-safe.
 */
public final class PauseGate {

    private boolean paused;
    /** {@link System#nanoTime()} of the last {@link #open()}, so silence while paused is not held against clients. */
    private volatile long openedAtNanos = System.nanoTime();

    public synchronized void pause() {
        paused = true;
    }

    public synchronized void open() {
        if (paused) {
            paused = false;
            openedAtNanos = System.nanoTime();
            notifyAll();
        }
    }

    public synchronized boolean isPaused() {
        return paused;
    }

    /** When the gate was last opened (nanoTime); deadlines counting silence start no earlier than this. */
    public long openedAtNanos() {
        return openedAtNanos;
    }

    /** Returns at once when open; otherwise waits until {@link #open()}. */
    public synchronized void awaitOpen() throws InterruptedException {
        while (paused) {
            wait();
        }
    }
}
