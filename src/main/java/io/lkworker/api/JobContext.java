package io.lkworker.api;

import java.time.Duration;

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
