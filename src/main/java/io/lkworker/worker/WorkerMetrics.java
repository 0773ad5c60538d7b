package io.lkworker.worker;

/**
 * Events the worker counts for {@code /metrics}. Called on the loop thread; implementations must not
 * block. Gauges (processes, load, connection state) are read from the {@link WorkerSnapshot} instead.
 */
public interface WorkerMetrics {

    /** A job ended: outcome is "success" or "failed". */
    default void jobEnded(String outcome) {
    }

    /** An availability request was answered: answer is "accepted", "rejected" or "declined". */
    default void availabilityAnswered(String answer, double seconds) {
    }

    /** Time from the assignment to the job's entrypoint starting. */
    default void assignmentToRunning(double seconds) {
    }

    /** The worker re-registered after losing its connection. */
    default void reconnected() {
    }

    /** A job process was killed: reason is e.g. "memory", "unresponsive", "shutdown_timeout", "initialize_timeout". */
    default void processKilled(String reason) {
    }

    /**
     * A message from the server was malformed and not acted on: message is "availability",
     * "assignment", "termination" or "empty".
     */
    default void malformedServerMessage(String message) {
    }

    /**
     * A job ended (after {@link #jobEnded}): its duration from assignment to end, and what it cost as
     * far as its executor measured it (null components were not measured).
     */
    default void jobCost(double durationSeconds, JobCost cost) {
    }

    /** A job process finished its prewarm. */
    default void processInitialized(double seconds) {
    }

    WorkerMetrics NONE = new WorkerMetrics() { };
}
