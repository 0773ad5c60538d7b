package io.lkworker.worker;

/**
 * A job the worker launched, as the loop tracks it.
 *
 * @param launch what was launched
 * @param pid the process running it, 0 until the executor reports it running
 * @param running whether the executor reported the entrypoint started
 * @param launchedAtMillis wall-clock time of the launch
 * @param launchedAtNanos monotonic time of the launch (latency metrics)
 */
public record RunningJob(JobLaunch launch, long pid, boolean running, long launchedAtMillis,
                         long launchedAtNanos) {

    RunningJob started(long newPid) {
        return new RunningJob(launch, newPid, true, launchedAtMillis, launchedAtNanos);
    }
}
