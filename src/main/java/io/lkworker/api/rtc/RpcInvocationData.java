package io.lkworker.api.rtc;

import java.time.Duration;

/**
 * One incoming RPC call, as an {@link RpcHandler} receives it.
 *
 * @param requestId       the call's id, the same on both sides (for logs)
 * @param callerIdentity  the identity of the participant that called (for a call made by the server
 *                        through RoomService.PerformRpc, the identity the server put on the request)
 * @param payload         the request payload (typically JSON)
 * @param responseTimeout how long the caller waits for the answer, as the caller told
 */
public record RpcInvocationData(String requestId, String callerIdentity, String payload, Duration responseTimeout) {
}
