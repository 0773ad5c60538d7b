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

    /** The job is over. Called exactly once per launched job. */
    void onEnded(String jobId, JobOutcome outcome);
}
