package io.lkworker.localserver;

import java.time.Instant;
import livekit.LivekitAgent.WorkerMessage;

/**
 * A WorkerMessage as the server received it. {@code workerId} is the id the server generated at
 * upgrade (it exists before registration, as in the real server); it is only sent to the worker
 * once the register request has been answered.
 */
public record ReceivedMessage(long connectionId, String workerId, Instant receivedAt, WorkerMessage message) {
}
