package io.lkworker.runner;

/**
 * How a hosted job ended, as the runner saw it.
 *
 * @param success the entrypoint returned (or the job was shut down on request)
 * @param error why it failed, e.g. the exception's class and message; "" on success
 * @param reason the shutdown reason that callbacks received
 */
public record JobResult(boolean success, String error, String reason) {
}
