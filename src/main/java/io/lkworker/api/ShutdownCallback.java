package io.lkworker.api;

/** Runs once when a job ends, whatever the reason. */
@FunctionalInterface
public interface ShutdownCallback {
    void onShutdown(String reason) throws Exception;
}
