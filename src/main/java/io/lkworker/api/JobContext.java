package io.lkworker.api;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The running job, handed to {@link Agent#entrypoint}.
 *
 * <p>Lines logged through SLF4J on the entrypoint thread carry the job id and room name (MDC keys
 * {@code job_id} and {@code room}).
 */
public interface JobContext {

    /** What the server said about the job. */
    JobInfo job();

    /** The LiveKit URL to join the room at. */
    String url();

    /** The room token the server minted for this job (valid one hour). Never log it. */
    String token();

    /** The id of the worker connection that accepted the job. */
    String workerId();

    /** The identity the agent joins the room with. */
    String participantIdentity();

    /**
     * Joins the job's room as the agent participant (identity and grants from the job's token) and
     * returns once signalling and media are up. Idempotent: later calls return the same room. The
     * job ends when the room disconnects on its own (room deleted, agent removed, connection lost),
     * and the agent leaves the room when the job ends.
     *
     * @throws RoomException with the reason if the room cannot be joined
     */
    default Room connect() {
        return connect(ConnectOptions.defaults());
    }

    /** As {@link #connect()}, with options (auto-subscription, timeout); options of a repeated call are ignored. */
    Room connect(ConnectOptions options);

    /**
     * The room joined by {@link #connect()}.
     *
     * @throws IllegalStateException before {@code connect()} returned
     */
    Room room();

    /**
     * Waits for a participant other than agents (a person, a phone caller) to be in the room and
     * returns them, at once if one is already there. Needs {@link #connect()} first. May be called
     * from a {@link io.lkworker.api.rtc.RoomListener} method (the room's later listener events wait
     * until it returns).
     *
     * @throws RoomException if the room disconnects while waiting
     */
    RemoteParticipant waitForParticipant() throws InterruptedException;

    /**
     * Waits for the participant with {@code identity} (any non-agent participant when null), at most
     * {@code timeout}.
     *
     * @throws TimeoutException if none joined in time
     * @throws RoomException if the room disconnects while waiting
     */
    RemoteParticipant waitForParticipant(String identity, Duration timeout)
            throws InterruptedException, TimeoutException;

    /** The process running this job. */
    JobProcess process();

    /** Registers a callback that runs when the job ends (on every path: return, failure, termination). */
    void addShutdownCallback(ShutdownCallback callback);

    /** Ends the job: {@link #awaitShutdown} returns, then shutdown callbacks run. */
    void shutdown(String reason);

    /** True once shutdown has been requested, by the agent, the server or the worker. */
    boolean isShuttingDown();

    /** Blocks until shutdown is requested; returns the reason. */
    String awaitShutdown() throws InterruptedException;

    /** Like {@link #awaitShutdown()} with a bound; returns null when the time ran out first. */
    String awaitShutdown(Duration timeout) throws InterruptedException;
}
