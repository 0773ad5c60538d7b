package io.lkworker.worker;

/**
 * How a job ended.
 *
 * @param success true for JS_SUCCESS
 * @param error the reason for a failure (exception text, exit code, killed over memory, ...); "" on success
 */
public record JobOutcome(boolean success, String error) {

    public static JobOutcome succeeded() {
        return new JobOutcome(true, "");
    }

    public static JobOutcome failed(String error) {
        return new JobOutcome(false, error == null || error.isBlank() ? "job failed" : error);
    }
}
