package io.lkworker.api.rtc;

/**
 * Answers the calls of one RPC method (see {@link LocalParticipant#registerRpcMethod}). Runs on a
 * thread of the room's RPC pool, never on the room's event thread, so it may block (call a model,
 * a database); several calls may run at once.
 */
@FunctionalInterface
public interface RpcHandler {

    /**
     * Returns the response payload (null is sent as ""), at most {@value RpcError#MAX_PAYLOAD_BYTES}
     * UTF-8 bytes: a longer one is replaced by {@link RpcError#RESPONSE_PAYLOAD_TOO_LARGE}. Throw an
     * {@link RpcError} to answer with that error (code, message and data reach the caller); any other
     * exception is logged and answered with {@link RpcError#APPLICATION_ERROR}.
     */
    String handle(RpcInvocationData invocation) throws Exception;
}
