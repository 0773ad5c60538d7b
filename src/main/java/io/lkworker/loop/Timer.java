package io.lkworker.loop;

/** A scheduled task. Cancelling is idempotent and, from the loop thread, immediate. */
public interface Timer {
    void cancel();

    boolean isCancelled();
}
