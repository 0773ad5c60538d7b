package io.lkworker.worker;

/**
 * Hears each job's stages as the worker sees them: offered, the answer, assigned, running, ended
 * (e.g. {@code lk-worker dev}'s playground shows them as a timeline). Called on the event-loop thread:
 * it must be quick and must not block; what it throws is logged and ignored.
 */
@FunctionalInterface
public interface JobLifecycleListener {

    /** The stages, in the order a job normally passes them. */
    enum Stage { OFFERED, ACCEPTED, DECLINED, ASSIGNED, RUNNING, RESTARTING, ENDED }

    /**
     * @param jobId      the job
     * @param room       its room's name ("" where the worker no longer knows it)
     * @param stage      what happened
     * @param wallMillis when, on the loop's clock
     * @param detail     a few words: the identity accepted as, the pid, "succeeded" or the failure
     */
    record Event(String jobId, String room, Stage stage, long wallMillis, String detail) {
    }

    void onJobEvent(Event event);
}
