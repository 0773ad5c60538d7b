package io.lkworker.runner;

import io.lkworker.api.JobContext;
import io.lkworker.api.JobInfo;
import io.lkworker.api.JobProcess;
import io.lkworker.api.ShutdownCallback;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.tracing.TracedSpan;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@link JobContext} of a job run by {@link JobHost}. Thread-safe: agent code may call it from
 * any thread. The first shutdown reason wins.
 *
 * <p>The room: {@link #connect} joins once and keeps the room; when it disconnects on its own
 * (deleted, agent removed, connection lost) the job shuts down with that reason, and
 * {@link #leaveRoom} (called by the host after the shutdown callbacks) leaves it when the job ends.
 */
final class HostedJobContext implements JobContext {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HostedJobContext.class);

    private final JobInfo job;
    private final String url;
    private final String token;
    private final String workerId;
    private final String identity;
    private final JobProcess process;
    private final List<ShutdownCallback> callbacks = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> shutdownReason = new AtomicReference<>();
    private final CountDownLatch shutdownLatch = new CountDownLatch(1);
    /** Told once, when shutdown is first requested (the host starts its grace timer). */
    private final Consumer<String> onShutdownRequested;
    private final Object roomLock = new Object();
    private volatile RtcRoom room;
    /** The options the room was joined with, to tell a later connect() that asks for others. */
    private ConnectOptions roomOptions;
    private volatile boolean leaving;
    /** Told of the room once joined (the host's room counts); set before the job starts. */
    private volatile Consumer<Room> roomJoined = r -> { };
    /** The entrypoint's span: {@link #connect} traces the room connection under it. */
    private volatile TracedSpan entrySpan = TracedSpan.NONE;

    HostedJobContext(JobInfo job, String url, String token, String workerId, String identity, JobProcess process,
                     Consumer<String> onShutdownRequested) {
        this.job = job;
        this.url = url;
        this.token = token;
        this.workerId = workerId;
        this.identity = identity;
        this.process = process;
        this.onShutdownRequested = onShutdownRequested;
    }

    /** {@code observer} hears of the room when {@code connect()} joins it. Before the job starts. */
    void onRoomJoined(Consumer<Room> observer) {
        roomJoined = observer;
    }

    /** The job's entrypoint runs in {@code span}. */
    void traceUnder(TracedSpan span) {
        this.entrySpan = span;
    }

    @Override
    public JobInfo job() {
        return job;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String token() {
        return token;
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public String participantIdentity() {
        return identity;
    }

    @Override
    public Room connect(ConnectOptions options) {
        Objects.requireNonNull(options, "options");
        synchronized (roomLock) {
            if (room != null) {
                if (!options.equals(roomOptions)) {
                    // The room is joined once per job; a caller expecting its new options to apply should know.
                    log.warn("connect(): the room is already joined with {}; the options of this call ({}) are ignored",
                            roomOptions, options);
                }
                return room;
            }
            if (isShuttingDown()) {
                throw new RoomException("the job is shutting down (" + shutdownReason.get() + "); not joining the room");
            }
            RtcRoom joined = tracedConnect(options);
            room = joined;
            roomOptions = options;
            roomJoined.accept(joined);
            joined.disconnected().thenAccept(reason -> {
                if (!leaving) {
                    shutdown("room disconnected: " + reason);
                }
            });
            return joined;
        }
    }

    /** Joins in a {@code room.connect} span: its events mark the signalling answer and the transports up. */
    private RtcRoom tracedConnect(ConnectOptions options) {
        TracedSpan span = entrySpan.child("room.connect");
        span.attribute(io.lkworker.tracing.JobAttributes.ROOM, job.room().name());
        try {
            RtcRoom joined = RtcRoom.connect(url, token, options, new io.lkworker.rtc.ConnectProgress() {
                @Override
                public void signallingConnected() {
                    span.event("signalling connected");
                }

                @Override
                public void transportsUp() {
                    span.event("transports up");
                }
            });
            span.end(null);
            return joined;
        } catch (RuntimeException e) {
            span.end(e.toString());
            throw e;
        }
    }

    @Override
    public Room room() {
        RtcRoom r = room;
        if (r == null) {
            throw new IllegalStateException("not connected to the room: call ctx.connect() first");
        }
        return r;
    }

    @Override
    public RemoteParticipant waitForParticipant() throws InterruptedException {
        RtcRoom r = joinedRoom();
        try {
            return r.waitForParticipant(RtcRoom::isEndUser, null);
        } catch (TimeoutException e) {
            throw new IllegalStateException("unreachable: no timeout was given", e);
        } catch (RoomException e) {
            throw closedOr(r, e);
        }
    }

    @Override
    public RemoteParticipant waitForParticipant(String identity, Duration timeout)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        RtcRoom r = joinedRoom();
        try {
            return r.waitForParticipant(p -> identity == null ? RtcRoom.isEndUser(p) : p.identity().equals(identity),
                    timeout);
        } catch (RoomException e) {
            throw closedOr(r, e);
        }
    }

    /**
     * How long to wait for the room's disconnect reason once a wait failed with a {@link RoomException}.
     * RtcRoom fails the wait from a room listener as the disconnect is announced, which may be a moment
     * before its {@code disconnected()} future completes; a wait that failed for another reason while the
     * room stays connected costs this much more before it is rethrown.
     */
    private static final Duration DISCONNECT_REASON_WAIT = Duration.ofSeconds(2);

    /**
     * A wait that failed because the room closed becomes {@link RoomClosedWhileWaitingException}, which
     * the host treats as an ordinary end of the job with the room's reason; anything else is rethrown.
     */
    private static RoomException closedOr(RtcRoom r, RoomException e) throws InterruptedException {
        String reason;
        try {
            reason = r.disconnected().get(DISCONNECT_REASON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException notClosed) {
            return e;
        }
        return new RoomClosedWhileWaitingException(reason == null || reason.isBlank() ? "disconnected" : reason, e);
    }

    private RtcRoom joinedRoom() {
        RtcRoom r = room;
        if (r == null) {
            throw new IllegalStateException("not connected to the room: call ctx.connect() before waitForParticipant()");
        }
        return r;
    }

    /** The job is over: leave the room if it was joined (a clean leave, so others see the agent go at once). */
    void leaveRoom() {
        leaving = true;
        RtcRoom r;
        synchronized (roomLock) {
            r = room;
        }
        if (r != null) {
            r.disconnect();
        }
    }

    @Override
    public JobProcess process() {
        return process;
    }

    @Override
    public void addShutdownCallback(ShutdownCallback callback) {
        callbacks.add(callback);
    }

    List<ShutdownCallback> callbacks() {
        return callbacks;
    }

    @Override
    public void shutdown(String reason) {
        String r = reason == null || reason.isBlank() ? "shutdown requested" : reason;
        if (shutdownReason.compareAndSet(null, r)) {
            shutdownLatch.countDown();
            onShutdownRequested.accept(r);
        }
    }

    /** Marks the job as ending without notifying the host (the host itself decided). */
    boolean markEnding(String reason) {
        if (shutdownReason.compareAndSet(null, reason)) {
            shutdownLatch.countDown();
            return true;
        }
        return false;
    }

    String shutdownReason() {
        return shutdownReason.get();
    }

    @Override
    public boolean isShuttingDown() {
        return shutdownReason.get() != null;
    }

    @Override
    public String awaitShutdown() throws InterruptedException {
        shutdownLatch.await();
        return shutdownReason.get();
    }

    @Override
    public String awaitShutdown(Duration timeout) throws InterruptedException {
        return shutdownLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? shutdownReason.get() : null;
    }
}
