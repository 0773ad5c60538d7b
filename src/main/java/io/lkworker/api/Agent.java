package io.lkworker.api;

/**
 * A LiveKit agent: the one type an agent jar provides.
 *
 * <p>lk-worker finds the implementation through {@code META-INF/services/io.lkworker.api.Agent}
 * (or {@code --agent-class}) and instantiates it with its public no-argument constructor.
 *
 * <ul>
 *   <li>{@link #onRequest} runs in the daemon, for every job the server offers, and must decide
 *       quickly (the server gives up after about 3 s; lk-worker enforces a shorter deadline).
 *   <li>{@link #prewarm} runs once in each freshly started job process, before it is handed a job.
 *   <li>{@link #entrypoint} runs the job. Returning normally ends the job as succeeded; throwing
 *       ends it as failed with the exception's message. To stay alive until the job is
 *       terminated, block in {@link JobContext#awaitShutdown()}.
 * </ul>
 */
public interface Agent {

    /** Runs the job. Called on a thread of its own, in the job's own process. */
    void entrypoint(JobContext ctx) throws Exception;

    /** Prepares a fresh job process (load models, warm caches). Store results in {@link JobProcess#userdata()}. */
    default void prewarm(JobProcess proc) throws Exception {
    }

    /** Decides whether to take an offered job. The default accepts every job with default arguments. */
    default void onRequest(JobRequest request) {
        request.accept();
    }
}
