package io.lkworker.worker;

/**
 * How a job ended.
 *
 * @param success true for JS_SUCCESS
 * @param error the reason for a failure (exception text, exit code, killed over memory, ...); "" on success
 * @param cost what the job used, as far as its executor measured it
 */
public record JobOutcome(boolean success, String error, JobCost cost) {

    public JobOutcome {
        cost = cost == null ? JobCost.UNKNOWN : cost;
    }

    public JobOutcome(boolean success, String error) {
        this(success, error, JobCost.UNKNOWN);
    }

    public static JobOutcome succeeded() {
        return new JobOutcome(true, "");
    }

    public static JobOutcome failed(String error) {
        return new JobOutcome(false, error == null || error.isBlank() ? "job failed" : error);
    }

    public JobOutcome withCost(JobCost newCost) {
        return new JobOutcome(success, error, newCost);
    }
}
