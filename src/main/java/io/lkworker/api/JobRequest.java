package io.lkworker.api;

/**
 * A job offered by the server, handed to {@link Agent#onRequest}. Exactly one decision counts; later
 * calls are ignored. If {@code onRequest} returns (or throws, or overruns its deadline) without a
 * decision, lk-worker declines the job so the server can offer it to another worker.
 */
public interface JobRequest {

    /** The offered job. */
    JobInfo job();

    /** Takes the job with default arguments. */
    default void accept() {
        accept(AcceptOptions.defaults());
    }

    /** Takes the job, joining as described by {@code options}. */
    void accept(AcceptOptions options);

    /** Declines the job; the server may offer it to another worker. */
    void reject();

    /** Declines the job and tells the server not to offer it to any other worker. */
    void rejectAndTerminate();
}
