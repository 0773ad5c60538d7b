package io.lkworker.rtc;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.LocalParticipant;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RoomListener;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * lk-worker's LiveKit room client: {@link #connect} joins a room with a URL and a token, inside a
 * job or anywhere else (tests, the {@code talk} command). Runs on WebRTC through webrtc-java
 * ({@link io.lkworker.webrtc}); one process may hold many rooms.
 */
public final class RtcRoom implements Room {

    private final RtcSession session;

    RtcRoom(RtcSession session) {
        this.session = session;
    }

    /**
     * Joins the room {@code token} grants, on the LiveKit server at {@code url}.
     *
     * @throws RoomException saying why, if the room cannot be joined within the options' timeout
     */
    public static RtcRoom connect(String url, String token, ConnectOptions options) {
        return connect(url, token, options, ConnectProgress.NONE);
    }

    /** As {@link #connect(String, String, ConnectOptions)}, telling {@code progress} each step (job traces). */
    public static RtcRoom connect(String url, String token, ConnectOptions options, ConnectProgress progress) {
        Objects.requireNonNull(token, "token");
        RtcSession session;
        try {
            session = new RtcSession(Objects.requireNonNull(options, "options"));
        } catch (io.lkworker.webrtc.WebRtcUnavailableException e) {
            throw new RoomException(e.getMessage(), e);
        }
        session.connect(url, token, progress);
        return session.room();
    }

    @Override
    public String name() {
        return session.roomInfo().getName();
    }

    @Override
    public String sid() {
        return session.roomInfo().getSid();
    }

    @Override
    public String metadata() {
        return session.roomInfo().getMetadata();
    }

    @Override
    public LocalParticipant localParticipant() {
        return session.participants.local();
    }

    @Override
    public Map<String, RemoteParticipant> remoteParticipants() {
        return session.participants.remotesSnapshot();
    }

    @Override
    public ConnectionState connectionState() {
        return session.state();
    }

    @Override
    public void addListener(RoomListener listener) {
        session.events.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(RoomListener listener) {
        session.events.remove(listener);
    }

    @Override
    public void disconnect() {
        session.disconnect("CLIENT_INITIATED", true);
    }

    /** Completes with the reason once the room is disconnected, for whatever reason. */
    public CompletableFuture<String> disconnected() {
        return session.disconnectedFuture().copy();
    }

    /**
     * The first remote participant matching {@code filter}, waiting up to {@code timeout} (null =
     * for ever) for one to join.
     *
     * <p>May be called from a {@link RoomListener} method, on the room's event thread: it learns of
     * participants through an internal watcher, which {@link RoomEvents} calls on the session thread
     * as the participant is announced, not through the event thread this call blocks. (Listener
     * events that happen meanwhile wait until it returns.) {@code filter} runs on the session thread
     * too, so it must be cheap and must not block.
     *
     * @throws TimeoutException if none joined in time
     * @throws RoomException if the room disconnects first
     */
    public RemoteParticipant waitForParticipant(Predicate<RemoteParticipant> filter, Duration timeout)
            throws InterruptedException, TimeoutException {
        CompletableFuture<RemoteParticipant> found = new CompletableFuture<>();
        RoomListener watcher = new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant participant) {
                if (filter.test(participant)) {
                    found.complete(participant);
                }
            }

            @Override
            public void onDisconnected(String reason) {
                found.completeExceptionally(new RoomException("room disconnected (" + reason + ") while waiting for a participant"));
            }
        };
        session.events.watch(watcher);
        try {
            remoteParticipants().values().stream().filter(filter).findFirst().ifPresent(found::complete);
            if (session.state() == ConnectionState.DISCONNECTED) {
                found.completeExceptionally(new RoomException("room is disconnected"));
            }
            return timeout == null ? found.get() : found.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (RoomException) e.getCause();
        } finally {
            removeListener(watcher);
        }
    }

    /** Participants a job waits for by default: people and phone callers, not other agents or recorders. */
    public static boolean isEndUser(RemoteParticipant p) {
        return p.kind() == ParticipantKind.STANDARD || p.kind() == ParticipantKind.SIP;
    }

    // ---- data streams

    @Override
    public void registerTextStreamHandler(String topic, io.lkworker.api.rtc.TextStreamHandler handler) {
        session.incomingStreams().registerText(topic, handler);
    }

    @Override
    public void unregisterTextStreamHandler(String topic) {
        session.incomingStreams().unregisterText(topic);
    }

    @Override
    public void registerByteStreamHandler(String topic, io.lkworker.api.rtc.ByteStreamHandler handler) {
        session.incomingStreams().registerBytes(topic, handler);
    }

    @Override
    public void unregisterByteStreamHandler(String topic) {
        session.incomingStreams().unregisterBytes(topic);
    }

    @Override
    public String toString() {
        return "Room[" + name() + ", " + connectionState() + "]";
    }
}
