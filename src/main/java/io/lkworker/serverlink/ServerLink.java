package io.lkworker.serverlink;

import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
import livekit.LivekitAgent;
import livekit.LivekitAgent.WorkerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's link to the LiveKit server: connect, register, keep the connection, reconnect with
 * backoff, and give up after {@code maxRetry} retries ({@code maxRetry + 1} failed attempts). Loop thread only.
 *
 * <p>Messages that must not be lost (job status updates, availability answers) wait in an outbox
 * while disconnected and are sent after the next registration; worker status and pings are dropped
 * while disconnected, because the next periodic status replaces them. An availability answer that
 * waited longer than the server's answer window is dropped instead: nobody waits for it any more.
 *
 * <p>A frame the WebSocket library accepted is not yet a frame the server read: a half-open
 * connection swallows it. So the link pings the server (WorkerPing; the server answers every ping
 * at once, in order) and treats a connection silent for {@link #SILENCE_TIMEOUT_MILLIS} as dead.
 * A final job status stays unconfirmed until the pong of a ping sent after it arrives on the same
 * connection; a connection that dies first has its unconfirmed statuses sent again after the next
 * registration.
 */
public final class ServerLink {

    private static final Logger log = LoggerFactory.getLogger(ServerLink.class);
    /** The server drops a worker that has not registered within 10 s; waiting as long for the answer is enough. */
    static final long REGISTER_RESPONSE_TIMEOUT_MILLIS = 10_000;
    /** Bound on the outbox so a long outage cannot grow memory without limit. */
    static final int OUTBOX_CAPACITY = 10_000;
    /**
     * Bound on TCP connect + TLS + upgrade: a server that accepts the connection but never answers
     * the upgrade must not stall the worker; the attempt is aborted and retried with backoff.
     */
    static final long CONNECT_ATTEMPT_TIMEOUT_MILLIS = 15_000;
    /**
     * The server answers a WorkerPing at once; one every 5 s costs nothing and bounds how long a dead
     * connection can go unnoticed.
     */
    static final long PING_INTERVAL_MILLIS = 5_000;
    /**
     * Nothing from the server for this long (three pings unanswered) and the connection is declared
     * dead and replaced: a half-open TCP connection otherwise goes unnoticed for about a minute, and
     * every status written into it is lost.
     */
    static final long SILENCE_TIMEOUT_MILLIS = 15_000;
    /**
     * The server waits 10 s for an availability answer (AssignJobTimeout; in practice ~3 s): an
     * answer queued longer is for an offer that is over, and is dropped rather than replayed.
     */
    static final long AVAILABILITY_ANSWER_WINDOW_MILLIS = 10_000;
    /** How long the diagnostic request after a refused upgrade may take. */
    private static final Duration DIAGNOSE_TIMEOUT = Duration.ofSeconds(3);

    public enum State { IDLE, CONNECTING, REGISTERING, REGISTERED, WAITING_TO_RETRY, CLOSED, GAVE_UP }

    /** What the link tells its owner. Loop thread. */
    public interface Handler {
        void onRegistered(LivekitAgent.RegisterWorkerResponse response, boolean reconnected);

        void onMessage(LivekitAgent.ServerMessage message);

        void onDisconnected(ConnectionFailure failure);

        void onGaveUp(ConnectionFailure lastFailure, int attempts);
    }

    private final EventLoop loop;
    private final URI endpoint;
    private final Supplier<String> tokenSupplier;
    private final Supplier<LivekitAgent.RegisterWorkerRequest> registration;
    private final Handler handler;
    private final Backoff backoff;
    private final int maxRetry;
    /** A durable message waiting for a connection, and since when (availability answers expire). */
    private record Queued(WorkerMessage message, long sinceNanos) { }

    /** A final job status written to the current connection, confirmed by the pong of ping {@code confirmingPing}. */
    private record Unconfirmed(WorkerMessage message, long confirmingPing, long sinceNanos) { }

    private final Deque<Queued> outbox = new ArrayDeque<>();
    private final Deque<Unconfirmed> unconfirmed = new ArrayDeque<>();

    private State state = State.IDLE;
    private LiveKitSocket socket;
    private Timer pending;
    private boolean everRegistered;
    private String workerId = "";
    private int reconnects;
    private Timer pingTimer;
    private Timer soonPing;
    /** Timestamp of the last WorkerPing sent: strictly increasing, so a pong names which pings it answers. */
    private long lastPing;
    private long lastHeardNanos;

    public ServerLink(EventLoop loop, URI endpoint, Supplier<String> tokenSupplier,
                      Supplier<LivekitAgent.RegisterWorkerRequest> registration, int maxRetry, Handler handler) {
        this.loop = loop;
        this.endpoint = endpoint;
        this.tokenSupplier = tokenSupplier;
        this.registration = registration;
        this.handler = handler;
        this.backoff = new Backoff(maxRetry);
        this.maxRetry = maxRetry;
    }

    public State state() {
        return state;
    }

    public String workerId() {
        return workerId;
    }

    /** Successful re-registrations after the first. */
    public int reconnects() {
        return reconnects;
    }

    public boolean isRegistered() {
        return state == State.REGISTERED;
    }

    public void start() {
        assert loop.inLoop();
        connect();
    }

    /** Sends now if registered; otherwise keeps durable messages for after the next registration. */
    public void send(WorkerMessage message) {
        assert loop.inLoop();
        if (state == State.REGISTERED) {
            flushOutbox(); // what waited goes first, so order is kept
            if (outbox.isEmpty() && write(message)) {
                return;
            }
        }
        if (isDurable(message)) {
            queue(new Queued(message, loop.clock().nanos()));
        }
    }

    /** Final job statuses written but not yet confirmed by the server (tests, diagnostics). */
    public int unconfirmedCount() {
        return unconfirmed.size();
    }

    private void queue(Queued queued) {
        if (outbox.size() >= OUTBOX_CAPACITY) {
            Queued dropped = outbox.removeFirst();
            log.warn("outbox full; dropping the oldest queued message ({})", dropped.message().getMessageCase());
        }
        outbox.addLast(queued);
    }

    /** Writes to the current socket; a final job status is remembered until the server confirms it. */
    private boolean write(WorkerMessage message) {
        if (!socket.send(message)) {
            return false;
        }
        if (isFinalJobStatus(message)) {
            unconfirmed.addLast(new Unconfirmed(message, nextPing(), loop.clock().nanos()));
            pingSoon();
        }
        return true;
    }

    private static boolean isFinalJobStatus(WorkerMessage m) {
        return m.hasUpdateJob() && (m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_SUCCESS
                || m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_FAILED);
    }

    /** Closes the connection for good (a close frame when open). */
    public void close() {
        assert loop.inLoop();
        state = State.CLOSED;
        cancelPending();
        stopPinging();
        if (socket != null) {
            socket.close();
        }
    }

    private static boolean isDurable(WorkerMessage m) {
        return switch (m.getMessageCase()) {
            case UPDATE_JOB, AVAILABILITY, MIGRATE_JOB -> true;
            default -> false;
        };
    }

    private void connect() {
        if (state == State.CLOSED || state == State.GAVE_UP) {
            return;
        }
        state = State.CONNECTING;
        log.info("connecting to {}", endpoint);
        // A fresh token for every attempt: a long outage must not outlive a token's validity.
        LiveKitSocket s = new LiveKitSocket(endpoint, tokenSupplier.get(), loop, new SocketEvents());
        socket = s;
        s.connect();
        pending = loop.schedule(CONNECT_ATTEMPT_TIMEOUT_MILLIS, () -> {
            if (s == socket && state == State.CONNECTING) {
                log.warn("no answer to the connection attempt within {} ms; aborting it", CONNECT_ATTEMPT_TIMEOUT_MILLIS);
                s.abort();
            }
        });
    }

    private final class SocketEvents implements LiveKitSocket.Listener {
        @Override
        public void onOpen(LiveKitSocket s) {
            if (s != socket || state != State.CONNECTING) {
                return;
            }
            cancelPending();
            state = State.REGISTERING;
            s.send(WorkerMessage.newBuilder().setRegister(registration.get()).build());
            pending = loop.schedule(REGISTER_RESPONSE_TIMEOUT_MILLIS, () -> {
                if (s == socket && state == State.REGISTERING) {
                    log.warn("no registration answer within {} ms; reconnecting", REGISTER_RESPONSE_TIMEOUT_MILLIS);
                    s.abort();
                }
            });
        }

        @Override
        public void onMessage(LiveKitSocket s, LivekitAgent.ServerMessage message) {
            if (s != socket) {
                return;
            }
            lastHeardNanos = loop.clock().nanos();
            if (message.hasPong() && state == State.REGISTERED) {
                confirmUpTo(message.getPong().getLastTimestamp());
                return;
            }
            if (state == State.REGISTERING) {
                if (message.hasRegister()) {
                    registered(message.getRegister());
                } else if (!message.hasPong()) {
                    log.warn("expected a registration answer, got {}; reconnecting", message.getMessageCase());
                    s.abort();
                }
                return;
            }
            if (state == State.REGISTERED) {
                handler.onMessage(message);
            }
        }

        @Override
        public void onClosed(LiveKitSocket s, ConnectionFailure failure) {
            if (s != socket) {
                return;
            }
            socket = null;
            cancelPending();
            if (state == State.CLOSED) {
                return;
            }
            boolean wasRegistered = state == State.REGISTERED;
            stopPinging();
            if (wasRegistered) {
                log.warn("connection to LiveKit lost: {}", failure);
                requeueUnconfirmed();
                handler.onDisconnected(failure);
            }
            if (failure.isCredentialsRejected()) {
                diagnoseThenGiveUp(failure);
            } else {
                retry(failure);
            }
        }
    }

    private void registered(LivekitAgent.RegisterWorkerResponse response) {
        cancelPending();
        state = State.REGISTERED;
        workerId = response.getWorkerId();
        boolean reconnected = everRegistered;
        if (reconnected) {
            reconnects++;
        }
        everRegistered = true;
        backoff.reset();
        lastHeardNanos = loop.clock().nanos();
        pingTimer = loop.scheduleAtFixedRate(PING_INTERVAL_MILLIS, PING_INTERVAL_MILLIS, this::pingTick);
        LivekitAgent.RegisterWorkerResponse r = response;
        log.info("registered with LiveKit as worker {} (server {}{}, protocol {})", r.getWorkerId(),
                r.getServerInfo().getVersion(), r.getServerInfo().getRegion().isEmpty() ? ""
                        : " region " + r.getServerInfo().getRegion(), r.getServerInfo().getAgentProtocol());
        handler.onRegistered(response, reconnected);
        flushOutbox();
    }

    private void flushOutbox() {
        while (!outbox.isEmpty() && state == State.REGISTERED) {
            Queued next = outbox.peekFirst();
            if (expired(next)) {
                outbox.removeFirst();
                String jobId = next.message().getAvailability().getJobId();
                org.slf4j.MDC.put("job_id", jobId);
                try {
                    log.info("dropping the answer to the offer of job {}: it waited {} ms, past the server's window",
                            jobId, (loop.clock().nanos() - next.sinceNanos()) / 1_000_000);
                } finally {
                    org.slf4j.MDC.remove("job_id");
                }
                continue;
            }
            if (!write(next.message())) {
                return;
            }
            outbox.removeFirst();
        }
    }

    private boolean expired(Queued queued) {
        return queued.message().hasAvailability()
                && loop.clock().nanos() - queued.sinceNanos() > AVAILABILITY_ANSWER_WINDOW_MILLIS * 1_000_000L;
    }

    // ---- liveness and confirmation ----

    private long nextPing() {
        return Math.max(loop.clock().wallMillis(), lastPing + 1);
    }

    private void pingTick() {
        if (state != State.REGISTERED) {
            return;
        }
        long silentMillis = (loop.clock().nanos() - lastHeardNanos) / 1_000_000;
        if (silentMillis > SILENCE_TIMEOUT_MILLIS) {
            log.warn("nothing from the server for {} ms (pings unanswered): the connection is dead; replacing it",
                    silentMillis);
            socket.abort();
            return;
        }
        sendPing();
    }

    /** A ping right away (batched per loop turn), so a final status written now is confirmed quickly. */
    private void pingSoon() {
        if (soonPing == null || soonPing.isCancelled()) {
            soonPing = loop.schedule(0, () -> {
                soonPing = null;
                if (state == State.REGISTERED) {
                    sendPing();
                }
            });
        }
    }

    private void sendPing() {
        long ping = nextPing();
        if (socket.send(WorkerMessage.newBuilder().setPing(LivekitAgent.WorkerPing.newBuilder().setTimestamp(ping))
                .build())) {
            lastPing = ping;
        }
    }

    /** The server has read everything written before ping {@code answered}. */
    private void confirmUpTo(long answered) {
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().confirmingPing() <= answered) {
            unconfirmed.removeFirst();
        }
    }

    /** The connection died: statuses it may have swallowed go first on the next one (ignored if already known). */
    private void requeueUnconfirmed() {
        if (unconfirmed.isEmpty()) {
            return;
        }
        log.info("{} confirmed by the server before the connection died; sending {} again after reconnecting",
                io.lkworker.logging.Plural.of(unconfirmed.size(), "final job status was not", "final job statuses were not"),
                unconfirmed.size() == 1 ? "it" : "them");
        while (!unconfirmed.isEmpty()) {
            Unconfirmed u = unconfirmed.removeLast();
            outbox.addFirst(new Queued(u.message(), u.sinceNanos()));
        }
    }

    private void stopPinging() {
        if (pingTimer != null) {
            pingTimer.cancel();
            pingTimer = null;
        }
        if (soonPing != null) {
            soonPing.cancel();
            soonPing = null;
        }
    }

    /**
     * Wrong credentials are not transient: retrying for minutes only keeps a misconfigured worker
     * looking healthy. Fetches the plain-text reason of the 401 (the upgrade failure hides the body),
     * then gives up at once.
     */
    private void diagnoseThenGiveUp(ConnectionFailure failure) {
        HttpRequest request = HttpRequest.newBuilder(ServerUrl.httpForm(endpoint))
                .timeout(DIAGNOSE_TIMEOUT)
                .header("Authorization", "Bearer " + tokenSupplier.get())
                .GET().build();
        HttpClient.newBuilder().connectTimeout(DIAGNOSE_TIMEOUT).build()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete((response, error) -> {
                    String body = response == null ? "" : response.body().strip();
                    String reason = body.isEmpty() ? "check the API key and secret" : body;
                    loop.execute(() -> {
                        if (state != State.CLOSED) {
                            backoff.onFailure();
                            giveUp(failure.withDetail(reason));
                        }
                    });
                });
    }

    private void retry(ConnectionFailure failure) {
        if (state == State.CLOSED) {
            return;
        }
        long delay = backoff.onFailure();
        if (delay < 0) {
            giveUp(failure);
            return;
        }
        state = State.WAITING_TO_RETRY;
        log.warn("connection attempt failed ({}); retrying in {} ms (failure {}, giving up after {})",
                failure, delay, backoff.failures(), maxRetry + 1);
        pending = loop.schedule(delay, this::connect);
    }

    private void giveUp(ConnectionFailure failure) {
        state = State.GAVE_UP;
        log.error("giving up on LiveKit after {}; last: {}",
                io.lkworker.logging.Plural.of(backoff.failures(), "failed attempt", "consecutive failures"), failure);
        handler.onGaveUp(failure, backoff.failures());
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
