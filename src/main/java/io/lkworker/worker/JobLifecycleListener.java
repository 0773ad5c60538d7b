package io.lkworker.worker;

/**
 * Hears each job's stages as the worker sees them: offered, the answer, assigned, running, ended
 * (e.g. {@code lk-worker dev}'s playground shows them as a timeline; job tracing makes spans of them).
 * Called on the event-loop thread: it must be quick and must not block; what it throws is logged and
 * ignored.
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
     * @param details    the same facts, typed, where the stage has them ({@link Details#NONE} otherwise)
     */
    record Event(String jobId, String room, Stage stage, long wallMillis, String detail, Details details) {

        /** An event without typed details (what listeners saw before {@link Details} existed). */
        public Event(String jobId, String room, Stage stage, long wallMillis, String detail) {
            this(jobId, room, stage, wallMillis, detail, Details.NONE);
        }

        public Event {
            details = details == null ? Details.NONE : details;
        }
    }

    /**
     * What a stage knows about its job beyond the words of {@code detail}; "" / 0 / null where unknown.
     *
     * @param agentName  the agent the job was dispatched to (OFFERED)
     * @param dispatchId the dispatch that created the job (OFFERED)
     * @param workerId   this worker's id at the server (OFFERED, ASSIGNED)
     * @param identity   the participant identity the agent accepted as (ACCEPTED, ASSIGNED)
     * @param reason     why: the decision's reason (ACCEPTED, DECLINED), the failure (ENDED)
     * @param pid        the process that runs the job (RUNNING)
     * @param warm       whether that process was already warm when the job was assigned (RUNNING; null:
     *                   the executor does not say, e.g. the thread executor)
     * @param succeeded  the job's outcome (ENDED; null otherwise)
     */
    record Details(String agentName, String dispatchId, String workerId, String identity, String reason,
                   long pid, Boolean warm, Boolean succeeded) {

        public static final Details NONE = new Details("", "", "", "", "", 0, null, null);

        public Details {
            agentName = nz(agentName);
            dispatchId = nz(dispatchId);
            workerId = nz(workerId);
            identity = nz(identity);
            reason = nz(reason);
        }

        public static Details offered(String agentName, String dispatchId, String workerId) {
            return new Details(agentName, dispatchId, workerId, "", "", 0, null, null);
        }

        public static Details decided(String identity, String reason) {
            return new Details("", "", "", identity, reason, 0, null, null);
        }

        public static Details assigned(String workerId, String identity) {
            return new Details("", "", workerId, identity, "", 0, null, null);
        }

        public static Details running(long pid, Boolean warm) {
            return new Details("", "", "", "", "", pid, warm, null);
        }

        public static Details ended(boolean succeeded, String reason) {
            return new Details("", "", "", "", reason, 0, null, succeeded);
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }

    void onJobEvent(Event event);
}
