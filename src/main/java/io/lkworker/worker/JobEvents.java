package io.lkworker.worker;

/** Lifecycle of one launched job, reported by a {@link JobExecutor} on the event-loop thread. */
public interface JobEvents {

    /** The job's entrypoint is starting; {@code pid} is the process running it. */
    void onRunning(String jobId, long pid);

    /** The job is over. Called exactly once per launched job. */
    void onEnded(String jobId, JobOutcome outcome);
}
