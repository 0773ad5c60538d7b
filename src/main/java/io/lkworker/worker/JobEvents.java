package io.lkworker.worker;

/** Lifecycle of one launched job, reported by a {@link JobExecutor} on the event-loop thread. */
public interface JobEvents {

    /** The job's entrypoint is starting; {@code pid} is the process running it. */
    void onRunning(String jobId, long pid);

    /**
     * As {@link #onRunning(String, long)}, saying whether the process was already warm (started and
     * prewarmed before the job came) or was started for it. Executors that know call this one.
     */
    default void onRunning(String jobId, long pid, boolean warm) {
        onRunning(jobId, pid);
    }

    /** The job is over. Called exactly once per launched job (this or the form with its cost). */
    void onEnded(String jobId, JobOutcome outcome);

    /**
     * The job is over, and this is what it cost as far as the executor measured it. Executors that
     * measure call this form; a listener that does not care about the cost need not implement it.
     */
    default void onEnded(String jobId, JobOutcome outcome, JobCost cost) {
        onEnded(jobId, outcome);
    }
}
