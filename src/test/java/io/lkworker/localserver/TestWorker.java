package io.lkworker.localserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lkworker.serverlink.AccessToken;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.RegisterWorkerRequest;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.WorkerMessage;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;

/** A minimal agent worker for tests, on Java-WebSocket's client (the library the daemon uses). */
public final class TestWorker extends WebSocketClient {

    public static final Duration WAIT = Duration.ofSeconds(5);

    public record CloseInfo(int code, String reason, boolean remote) {
    }

    private final BlockingQueue<ServerMessage> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    public final AtomicInteger pingsReceived = new AtomicInteger();
    public final AtomicInteger pongsReceived = new AtomicInteger();

    public TestWorker(URI uri, Map<String, String> headers) {
        super(uri, headers);
        setConnectionLostTimeout(0); // the client's own keep-alive pings would only add noise
    }

    /** Connects to {@code server}'s /agent with a fresh devkey/secret worker token. */
    public static TestWorker connect(LocalLiveKitServer server) throws InterruptedException {
        return connect(server, ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET);
    }

    public static TestWorker connect(LocalLiveKitServer server, String key, String secret) throws InterruptedException {
        String token = AccessToken.workerToken(key, secret, System.currentTimeMillis(), Duration.ofHours(6));
        TestWorker w = new TestWorker(URI.create(server.url() + "/agent"), Map.of("Authorization", "Bearer " + token));
        assertThat(w.connectBlocking(5, TimeUnit.SECONDS)).as("upgrade accepted").isTrue();
        return w;
    }

    /** Connects and registers a JT_ROOM worker for {@code agentName}. */
    public static TestWorker registered(LocalLiveKitServer server, String agentName) throws InterruptedException {
        TestWorker w = connect(server);
        w.register(agentName);
        return w;
    }

    public void send(WorkerMessage msg) {
        send(msg.toByteArray());
    }

    public RegisterWorkerResponse register(String agentName) {
        return register(RegisterWorkerRequest.newBuilder()
                .setType(JobType.JT_ROOM).setAgentName(agentName).setVersion("test-1.0").build());
    }

    public RegisterWorkerResponse register(RegisterWorkerRequest req) {
        send(WorkerMessage.newBuilder().setRegister(req).build());
        ServerMessage reply = next();
        assertThat(reply.hasRegister()).as("first reply is RegisterWorkerResponse: %s", reply).isTrue();
        return reply.getRegister();
    }

    public void answer(AvailabilityResponse resp) {
        send(WorkerMessage.newBuilder().setAvailability(resp).build());
    }

    public AvailabilityRequest nextAvailability() {
        ServerMessage m = next();
        assertThat(m.hasAvailability()).as("expected AvailabilityRequest, got %s", m).isTrue();
        return m.getAvailability();
    }

    public ServerMessage next() {
        return next(WAIT);
    }

    public ServerMessage next(Duration timeout) {
        try {
            ServerMessage m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail("no ServerMessage within " + timeout);
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Skips messages until one matches. */
    public ServerMessage nextMatching(Predicate<ServerMessage> filter) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            ServerMessage m = next(left.isNegative() ? Duration.ZERO : left);
            if (filter.test(m)) {
                return m;
            }
        }
    }

    public String nextText() throws InterruptedException {
        String t = texts.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(t).as("text frame").isNotNull();
        return t;
    }

    public boolean hasPendingMessages() {
        return !received.isEmpty();
    }

    public CloseInfo awaitClose() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("connection not closed within " + WAIT, e);
        }
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata f) {
        pingsReceived.incrementAndGet();
        super.onWebsocketPing(conn, f); // answers with a pong
    }

    @Override
    public void onWebsocketPong(WebSocket conn, Framedata f) {
        pongsReceived.incrementAndGet();
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
        try {
            received.add(ServerMessage.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            closed.completeExceptionally(e);
        }
    }

    @Override
    public void onMessage(String message) {
        texts.add(message);
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        closed.complete(new CloseInfo(code, reason, remote));
    }

    @Override
    public void onError(Exception ex) {
        // surfaces through onClose
    }
}
