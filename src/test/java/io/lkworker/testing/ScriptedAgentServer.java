package io.lkworker.testing;

import org.awaitility.Awaitility;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import livekit.LivekitAgent.RegisterWorkerResponse;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPong;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A LiveKit-protocol server that is not ours and sends whatever a test tells it to, including
 * frames the real server never sends (an offer without a job, ...). It answers registration and
 * WorkerPing like the real server, records every WorkerMessage, checks no credentials, and does
 * nothing on its own.
 */
public final class ScriptedAgentServer extends WebSocketServer implements AutoCloseable {

    private final List<WorkerMessage> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile WebSocket current;

    private ScriptedAgentServer() {
        super(new InetSocketAddress("127.0.0.1", 0));
        setReuseAddr(true);
        setConnectionLostTimeout(0);
    }

    public static ScriptedAgentServer start(Duration within) throws InterruptedException {
        ScriptedAgentServer server = new ScriptedAgentServer();
        server.start();
        if (!server.started.await(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("scripted server did not start");
        }
        return server;
    }

    public String url() {
        return "ws://127.0.0.1:" + getPort();
    }

    /** Sends {@code message} on the current worker connection. */
    public void send(ServerMessage message) {
        current.send(message.toByteArray());
    }

    public List<WorkerMessage> received() {
        return List.copyOf(received);
    }

    /** The first message (received so far or later) that matches. */
    public WorkerMessage await(Predicate<WorkerMessage> filter, Duration within) {
        return Awaitility.await().atMost(within).until(() -> received.stream().filter(filter).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        current = conn;
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer bytes) {
        WorkerMessage message;
        try {
            message = WorkerMessage.parseFrom(bytes);
        } catch (Exception e) {
            conn.closeConnection(1002, "undecodable");
            return;
        }
        received.add(message);
        if (message.hasRegister()) {
            conn.send(ServerMessage.newBuilder().setRegister(RegisterWorkerResponse.newBuilder()
                    .setWorkerId("AW_scripted" + received.size())).build().toByteArray());
        } else if (message.hasPing()) {
            conn.send(ServerMessage.newBuilder().setPong(WorkerPong.newBuilder()
                    .setLastTimestamp(message.getPing().getTimestamp())
                    .setTimestamp(System.currentTimeMillis())).build().toByteArray());
        }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        conn.closeConnection(1003, "text frames are not used");
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
    }

    @Override
    public void close() {
        try {
            stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
