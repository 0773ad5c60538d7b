package io.lkworker.pool;

/**
 * Lifecycle of a child as the daemon sees it. Transitions only move forward:
 * STARTING → CONNECTED → INITIALIZING → IDLE → RUNNING → STOPPING → EXITED (any state may jump to
 * STOPPING when the child is asked to stop or killed, and to EXITED when the process is gone).
 */
enum ChildState {
    /** Process spawned; waiting for its Hello on the IPC socket. */
    STARTING,
    /** Hello verified. */
    CONNECTED,
    /** InitializeRequest sent: the child loads the agent and runs prewarm. */
    INITIALIZING,
    /** Ready, waiting in the warm queue. */
    IDLE,
    /** Runs its one job. */
    RUNNING,
    /** Asked to shut down, or being killed. */
    STOPPING,
    /** The process has exited and its channel is drained. */
    EXITED;

    boolean starting() {
        return this == STARTING || this == CONNECTED || this == INITIALIZING;
    }
}
