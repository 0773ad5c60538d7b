package io.lkworker.localserver.room;

import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of one signalling connection: a bounded queue and its own writer thread, so the
 * room thread never blocks on a socket. A client that cannot keep up (queue over
 * {@link #MAX_QUEUED_BYTES} or {@link #MAX_QUEUED_FRAMES}, or one write blocked longer than
 * {@link #WRITE_TIMEOUT}, checked by the room's sweep through {@link #blockedFor}) has its socket
 * aborted: the reader then ends and reports the cause the outbox recorded.
 */
final class SignalOutbox {

    private static final Logger log = LoggerFactory.getLogger(SignalOutbox.class);

    /**
     * Bytes waiting for one client. The largest regular messages are SDP offers and participant
     * updates of a full room (tens of KiB); 4 MiB is hundreds of them, far more than a client that
     * reads ever has outstanding, and small enough that 100 stuck clients cannot exhaust the heap.
     */
    static final long MAX_QUEUED_BYTES = 4L << 20;
    /** Frames waiting for one client: a bound on the count, for floods of small frames (pongs, trickles). */
    static final int MAX_QUEUED_FRAMES = 4096;
    /**
     * One write may block this long. A client reading normally drains a frame in milliseconds even over
     * a slow network; 5 s blocked means its receive window has been full that long (it stopped reading).
     */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    /** After our close frame, how long we wait for the client's echo before dropping the TCP connection. */
    static final Duration CLOSE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);

    /** Why the outbox gave up on the connection; read by the reader when it ends. */
    interface Failure {
        void failed(String why);
    }

    private static final byte[] CLOSE = new byte[0];

    private final WebSocketConnection ws;
    private final String label;
    private final PauseGate gate;
    private final Failure failure;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closing;
    private boolean stopped;
    /** nanoTime when the write in progress started, 0 when none is. */
    private volatile long writeStartedNanos;
    private final Thread writer;

    SignalOutbox(WebSocketConnection ws, String label, PauseGate gate, Failure failure) {
        this.ws = ws;
        this.label = label;
        this.gate = gate;
        this.failure = failure;
        this.writer = new Thread(this::writeLoop, "lk-dev-signal-out-" + label);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a frame; false (and the connection is failed) if the client is too far behind. Any thread. */
    boolean offer(byte[] frame) {
        String overflow = null;
        synchronized (this) {
            if (closing || stopped) {
                return false;
            }
            if (queue.size() >= MAX_QUEUED_FRAMES || queuedBytes + frame.length > MAX_QUEUED_BYTES) {
                overflow = "outbound queue full (" + queue.size() + " frames, " + queuedBytes + " bytes): the client"
                        + " does not read its signalling";
                stopped = true;
                queue.clear();
                queuedBytes = 0;
                notifyAll();
            } else {
                queue.add(frame);
                queuedBytes += frame.length;
                notifyAll();
                return true;
            }
        }
        failure.failed(overflow);
        return false;
    }

    /** Queues {@code last} (if any), then a close frame; nothing is queued after it. Any thread. */
    synchronized void closeAfter(byte[] last) {
        if (closing || stopped) {
            return;
        }
        if (last != null) {
            queue.add(last);
            queuedBytes += last.length;
        }
        queue.add(CLOSE);
        closing = true;
        notifyAll();
    }

    /** Stops writing; what is queued is dropped. The caller aborts the socket if it wants it gone. */
    synchronized void stop() {
        stopped = true;
        queue.clear();
        queuedBytes = 0;
        notifyAll();
    }

    /** How long the write in progress has been blocked (zero when none is, or while the server is paused). */
    Duration blockedFor(long nowNanos) {
        long started = writeStartedNanos;
        if (started == 0 || gate.isPaused()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(nowNanos - Math.max(started, gate.openedAtNanos()));
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] frame;
                synchronized (this) {
                    while (queue.isEmpty() && !stopped) {
                        wait();
                    }
                    if (stopped) {
                        return;
                    }
                    frame = queue.poll();
                    queuedBytes -= frame.length;
                }
                gate.awaitOpen();
                writeStartedNanos = System.nanoTime();
                try {
                    if (frame == CLOSE) {
                        ws.sendClose(1000);
                        abortIfNoEcho();
                        return;
                    }
                    ws.sendBinary(frame);
                } finally {
                    writeStartedNanos = 0;
                }
            }
        } catch (IOException e) {
            log.debug("{}: signalling write failed: {}", label, e.toString());
            ws.abort();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            log.warn("{}: signalling writer failed; dropping the connection", label, t);
            ws.abort();
            failure.failed("writer failed: " + t);
        }
    }

    /** The reader ends when the client echoes the close; a client that does not is cut after a while. */
    private void abortIfNoEcho() throws InterruptedException {
        long deadline = System.nanoTime() + CLOSE_HANDSHAKE_TIMEOUT.toNanos();
        while (ws.isOpen() && System.nanoTime() < deadline) {
            synchronized (this) {
                wait(50);
            }
        }
        ws.abort();
    }
}
