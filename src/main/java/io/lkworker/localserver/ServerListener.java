package io.lkworker.localserver;

import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.localserver.agent.WorkerHandle;

/**
 * Callbacks for whoever embeds the server (dev mode logs them, tests may assert on them). They run
 * synchronously on the thread that produced the event (a connection thread or a dispatch thread),
 * so they must be quick and must not call blocking {@code await…} methods. Exceptions are logged
 * and swallowed.
 */
public interface ServerListener {

    default void onConnectionAttempt(ConnectionAttempt attempt) {
    }

    default void onWorkerRegistered(WorkerHandle worker) {
    }

    default void onWorkerDisconnected(WorkerHandle worker) {
    }

    default void onMessage(ReceivedMessage message) {
    }

    default void onJobOutcome(OfferOutcome outcome) {
    }
}
