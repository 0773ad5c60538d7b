package io.lkworker.localserver.room;

import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signalling WebSocket of a participant (a participant that resumes gets a new one): reads
 * requests on the connection's thread and hands them to the room thread, writes through its own
 * {@link SignalOutbox}. Bounds what one client can make the server hold: at most
 * {@link #MAX_PENDING_REQUESTS} requests (and {@link #MAX_PENDING_BYTES}) waiting for the room
 * thread, so a flood cannot grow the room's queue without bound.
 *
 * <p>Every way the connection ends (client close, EOF, reset, a failure of the reader thread of any
 * kind, the server aborting it) is reported exactly once, by the reader thread, with an {@link End}.
 */
final class SignalLink {

    private static final Logger log = LoggerFactory.getLogger(SignalLink.class);

    /**
     * Requests read but not yet handled by the room thread. A client that waits for answers has a few
     * outstanding (a burst of ICE candidates is the largest, tens); 256 means the room thread is far
     * behind this one client, which only a flood does.
     */
    static final int MAX_PENDING_REQUESTS = 256;
    /** Bytes of requests read but not yet handled: 8 MiB, a few maximum-size messages. */
    static final long MAX_PENDING_BYTES = 8L << 20;

    /** How a connection ended, and whether the participant may resume. */
    record End(String why, boolean resumable) {
    }

    private final WebSocketConnection ws;
    private final String label;
    private final PauseGate gate;
    private final SignalOutbox outbox;
    private final AtomicInteger pendingRequests = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    /** nanoTime of the last frame from the client. */
    private volatile long lastHeardNanos = System.nanoTime();
    /** Set by whoever ends the connection on purpose, before aborting the socket; the reader reports it. */
    private volatile End endCause;
    private volatile boolean ended;
    private final java.util.concurrent.CountDownLatch endedLatch = new java.util.concurrent.CountDownLatch(1);

    SignalLink(WebSocketConnection ws, String label, PauseGate gate) {
        this.ws = ws;
        this.label = label;
        this.gate = gate;
        this.outbox = new SignalOutbox(ws, label, gate, why -> fail(new End(why, false)));
    }

    String label() {
        return label;
    }

    boolean isUp() {
        return !ended && endCause == null && ws.isOpen();
    }

    /** Queues a message for the client; dropped if the connection is going away. Any thread. */
    void send(SignalResponse response) {
        if (endCause == null) {
            outbox.offer(response.toByteArray());
        }
    }

    /** Sends {@code last} (if not null), then a close frame; the connection then ends (reported as {@code end}). */
    void close(SignalResponse last, End end) {
        if (endCause == null) {
            endCause = end;
            outbox.closeAfter(last == null ? null : last.toByteArray());
        }
    }

    /** Cuts the TCP connection without a close frame (nothing queued is sent). Any thread. */
    void fail(End end) {
        if (endCause == null) {
            endCause = end;
        }
        log.debug("{}: dropping the signalling connection: {}", label, end.why());
        outbox.stop();
        ws.abort();
    }

    /** How long the client has sent nothing; silence while the server was paused does not count. */
    Duration silentFor(long nowNanos) {
        if (gate.isPaused()) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(nowNanos - Math.max(lastHeardNanos, gate.openedAtNanos()));
    }

    /** Waits until the connection has ended (its last messages written, or given up); false on timeout. */
    boolean awaitEnded(Duration timeout) throws InterruptedException {
        return endedLatch.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    Duration writeBlockedFor(long nowNanos) {
        return outbox.blockedFor(nowNanos);
    }

    /**
     * On the connection's thread, until the connection ends: hands each request to {@code onRequest} on
     * {@code roomThread}, then {@code onEnd} once, also on the room thread.
     */
    void readUntilClosed(Executor roomThread, Consumer<SignalRequest> onRequest, Consumer<End> onEnd) {
        End end = new End("SIGNAL_CLOSE", true);
        try {
            while (true) {
                gate.awaitOpen();
                WebSocketConnection.Message m = ws.read();
                if (m == null) {
                    end = new End("client closed the WebSocket", true);
                    break;
                }
                lastHeardNanos = System.nanoTime();
                if (m.text()) {
                    log.debug("{}: ignoring a text signalling frame", label);
                    continue;
                }
                SignalRequest request;
                try {
                    request = SignalRequest.parseFrom(m.payload());
                } catch (IOException e) {
                    log.warn("{}: undecodable signalling frame ({} bytes); dropping the participant", label,
                            m.payload().length);
                    end = new End("undecodable signalling frame", false);
                    break;
                }
                int size = m.payload().length;
                int requests = pendingRequests.incrementAndGet();
                long bytes = pendingBytes.addAndGet(size);
                if (requests > MAX_PENDING_REQUESTS || bytes > MAX_PENDING_BYTES) {
                    log.warn("{}: {} signalling requests ({} bytes) waiting for the room, over the bound of {} ({} bytes);"
                            + " the client floods, dropping it", label, pendingRequests.get(), pendingBytes.get(),
                            MAX_PENDING_REQUESTS, MAX_PENDING_BYTES);
                    end = new End("signalling flood", false);
                    break;
                }
                gate.awaitOpen();
                roomThread.execute(() -> {
                    pendingRequests.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    onRequest.accept(request);
                });
            }
        } catch (IOException e) {
            log.debug("{}: signalling connection ended: {}", label, e.toString());
            end = new End("connection lost: " + e.getMessage(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = new End("interrupted", true);
        } catch (Throwable t) {
            // An Error (OutOfMemoryError included) must not leave the participant behind, JOINED forever.
            log.error("{}: signalling reader failed; dropping the participant", label, t);
            end = new End("reader failed: " + t, false);
        } finally {
            ended = true;
            endedLatch.countDown();
            outbox.stop();
            ws.abort();
            End reported = endCause != null ? endCause : end;
            try {
                roomThread.execute(() -> onEnd.accept(reported));
            } catch (Throwable t) {
                log.error("{}: could not report the end of the signalling connection", label, t);
            }
        }
    }
}
