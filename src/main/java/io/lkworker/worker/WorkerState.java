package io.lkworker.worker;

/** Where the worker is in its life; see design §3. */
public enum WorkerState {
    STARTING,
    CONNECTING,
    REGISTERED,
    RECONNECTING,
    DRAINING,
    CLOSED,
    FAILED;

    public String label() {
        return name().toLowerCase();
    }
}
