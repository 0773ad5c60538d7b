package io.lkworker.server;

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
 * backoff, and give up after {@code maxRetry} consecutive failures. Loop thread only.
 *
 * <p>Messages that must not be lost (job status updates, availability answers) wait in an outbox
 * while disconnected and are sent after the next registration; worker status and pings are dropped
 * while disconnected, because the next periodic status replaces them.
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
    private final Deque<WorkerMessage> outbox = new ArrayDeque<>();

    private State state = State.IDLE;
    private LiveKitSocket socket;
    private Timer pending;
    private boolean everRegistered;
    private String workerId = "";
    private int reconnects;

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
            if (outbox.isEmpty() && socket.send(message)) {
                return;
            }
        }
        if (isDurable(message)) {
            if (outbox.size() >= OUTBOX_CAPACITY) {
                WorkerMessage dropped = outbox.removeFirst();
                log.warn("outbox full; dropping the oldest queued message ({})", dropped.getMessageCase());
            }
            outbox.addLast(message);
        }
    }

    /** Closes the connection for good (a close frame when open). */
    public void close() {
        assert loop.inLoop();
        state = State.CLOSED;
        cancelPending();
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
            if (wasRegistered) {
                log.warn("connection to LiveKit lost: {}", failure);
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
        LivekitAgent.RegisterWorkerResponse r = response;
        log.info("registered with LiveKit as worker {} (server {} {}, protocol {})", r.getWorkerId(),
                r.getServerInfo().getVersion(), r.getServerInfo().getRegion().isEmpty() ? ""
                        : "region " + r.getServerInfo().getRegion(), r.getServerInfo().getAgentProtocol());
        handler.onRegistered(response, reconnected);
        flushOutbox();
    }

    private void flushOutbox() {
        while (!outbox.isEmpty() && state == State.REGISTERED) {
            if (!socket.send(outbox.peekFirst())) {
                return;
            }
            outbox.removeFirst();
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
        log.error("giving up on LiveKit after {} consecutive failures; last: {}", backoff.failures(), failure);
        handler.onGaveUp(failure, backoff.failures());
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
    }
}
