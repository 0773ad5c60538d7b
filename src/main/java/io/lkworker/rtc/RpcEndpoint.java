package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.RpcHandler;
import io.lkworker.api.rtc.RpcInvocationData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiveKit RPC, protocol version 1, for one room: both the caller side ({@link #performRpc}) and the
 * handler side (registered methods answering {@code RpcRequest} packets). Wire format and timing are
 * those of LiveKit's JS and Rust SDKs: every packet reliable and addressed to the one peer; the
 * recipient acknowledges a request ({@code RpcAck}) before running its handler; the caller waits 7 s
 * for the acknowledgement and the response timeout (15 s by default) for the {@code RpcResponse}.
 *
 * <p><b>Threads.</b> Packets, participant departures and the room's end arrive on the session thread
 * ({@link DataPacketHandler}); acknowledgements and built-in error answers are sent from there at
 * once. Handlers run on this endpoint's own pool: at most {@link #MAX_HANDLER_THREADS} at a time,
 * threads started on demand and ended after 30 s idle, and up to {@link #MAX_QUEUED_CALLS} calls
 * waiting; a call beyond that is answered APPLICATION_ERROR at once. The pool is shut down (running
 * handlers interrupted) when the room closes. Callers block on their own thread.
 *
 * <p>Registered methods are local state: they survive resumes and full reconnects.
 *
 * <p><b>Version 1 only.</b> LiveKit's clients send RPC over data streams (version 2) only to peers whose
 * {@code ParticipantInfo.client_protocol} is at least 1 ({@code livekit/client-sdk-js
 * src/room/rpc/client/RpcClientManager.ts publishRpcRequest}, {@code livekit/rust-sdks
 * livekit/src/room/rpc/client.rs perform_rpc}). Our client does not set {@code client_protocol} (0), so
 * peers send us {@code RpcRequest} packets and answer ours with {@code RpcResponse} packets; keep it so
 * until data-stream RPC is implemented here.
 */
final class RpcEndpoint implements DataPacketHandler {

    private static final Logger log = LoggerFactory.getLogger(RpcEndpoint.class);
    static final int VERSION = 1;
    /** How long the recipient has to acknowledge a request: LiveKit's maxRoundTripLatency. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(7);
    /** Handlers running at once, per room. */
    static final int MAX_HANDLER_THREADS = 16;
    /** Calls waiting for a handler thread, per room. */
    static final int MAX_QUEUED_CALLS = 256;
    /** How long a response may wait for the room to come back from a reconnect before it is dropped. */
    private static final Duration RESPONSE_SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger ENDPOINTS = new AtomicInteger();

    private final RtcSession session;
    private final Duration ackTimeout;
    private final Map<String, Registered> handlers = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor pool;
    private volatile String closedReason;

    private record Registered(RpcHandler handler, ClassLoader contextLoader) {
    }

    /** A call we made, waiting for its acknowledgement and response. */
    private static final class Pending {
        final String destination;
        final CompletableFuture<Void> acked = new CompletableFuture<>();
        final CompletableFuture<String> response = new CompletableFuture<>();

        Pending(String destination) {
            this.destination = destination;
        }
    }

    RpcEndpoint(RtcSession session) {
        this(session, ACK_TIMEOUT);
    }

    RpcEndpoint(RtcSession session, Duration ackTimeout) {
        this.session = session;
        this.ackTimeout = ackTimeout;
        int n = ENDPOINTS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(MAX_HANDLER_THREADS, MAX_HANDLER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_QUEUED_CALLS), r -> {
                    Thread t = new Thread(r, "lk-rpc-" + n + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    // ---- registration (any thread) ----------------------------------------------------------------

    void register(String method, RpcHandler handler) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(handler, "handler");
        Registered r = new Registered(handler, Thread.currentThread().getContextClassLoader());
        if (handlers.putIfAbsent(method, r) != null) {
            throw new IllegalStateException("RPC handler already registered for method " + method
                    + ", unregisterRpcMethod before trying to register again");
        }
    }

    void unregister(String method) {
        handlers.remove(Objects.requireNonNull(method, "method"));
    }

    // ---- calling (agent threads) ------------------------------------------------------------------

    String performRpc(String destination, String method, String payload, Duration responseTimeout) {
        return performRpc(destination, method, payload, responseTimeout, VERSION);
    }

    /** {@link #performRpc} with any protocol version on the request (tests: UNSUPPORTED_VERSION). */
    String performRpc(String destination, String method, String payload, Duration responseTimeout, int version) {
        Objects.requireNonNull(destination, "destinationIdentity");
        if (destination.isEmpty()) {
            throw new IllegalArgumentException("destinationIdentity is empty");
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(payload, "payload");
        if (responseTimeout == null || responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("responseTimeout must be positive: " + responseTimeout);
        }
        if (payload.getBytes(StandardCharsets.UTF_8).length > RpcError.MAX_PAYLOAD_BYTES) {
            throw RpcError.builtIn(RpcError.REQUEST_PAYLOAD_TOO_LARGE);
        }
        String serverVersion = session.serverVersion();
        if (serverVersion != null && !serverVersion.isEmpty() && olderThan(serverVersion, 1, 8, 0)) {
            throw RpcError.builtIn(RpcError.UNSUPPORTED_SERVER, "server version " + serverVersion);
        }
        long start = System.nanoTime();
        long ackDeadline = start + ackTimeout.toNanos();
        long responseDeadline = start + responseTimeout.toNanos();
        String id = UUID.randomUUID().toString();
        Pending call = new Pending(destination);
        pending.put(id, call);
        try {
            String closed = closedReason;
            if (closed != null) {
                throw RpcError.builtIn(RpcError.SEND_FAILED, "room disconnected (" + closed + ")");
            }
            LivekitModels.RpcRequest request = LivekitModels.RpcRequest.newBuilder().setId(id).setMethod(method)
                    .setPayload(payload).setResponseTimeoutMs((int) Math.min(Integer.MAX_VALUE, responseTimeout.toMillis()))
                    .setVersion(version).build();
            try {
                session.sendPacket(DataPacket.newBuilder().addDestinationIdentities(destination).setRpcRequest(request),
                        true, Math.min(ackDeadline, responseDeadline));
            } catch (RoomException e) {
                throw new RpcError(RpcError.SEND_FAILED, RpcError.builtInMessage(RpcError.SEND_FAILED), e.getMessage(), e);
            }
            try {
                CompletableFuture.anyOf(call.acked, call.response)
                        .get(Math.max(0, Math.min(ackDeadline, responseDeadline) - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw RpcError.builtIn(RpcError.CONNECTION_TIMEOUT);
            }
            try {
                return call.response.get(Math.max(0, responseDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw RpcError.builtIn(RpcError.RESPONSE_TIMEOUT);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RpcError remote) {
                // a fresh exception, so that its stack trace is the caller's
                throw new RpcError(remote.code(), remote.message(), remote.data(), remote);
            }
            throw new RpcError(RpcError.APPLICATION_ERROR, RpcError.builtInMessage(RpcError.APPLICATION_ERROR),
                    String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomException("interrupted while waiting for the RPC response", e);
        } finally {
            pending.remove(id);
        }
    }

    // ---- packets (session thread) -----------------------------------------------------------------

    @Override
    public boolean accepts(DataPacket.ValueCase kind) {
        return kind == DataPacket.ValueCase.RPC_REQUEST || kind == DataPacket.ValueCase.RPC_ACK
                || kind == DataPacket.ValueCase.RPC_RESPONSE;
    }

    @Override
    public void onPacket(DataPacket packet, String senderIdentity) {
        switch (packet.getValueCase()) {
            case RPC_REQUEST -> onRequest(packet.getRpcRequest(), senderIdentity);
            case RPC_ACK -> {
                Pending call = pending.get(packet.getRpcAck().getRequestId());
                if (call != null && call.destination.equals(senderIdentity)) {
                    call.acked.complete(null);
                } else {
                    log.debug("RPC ack for unknown request {} from {}", packet.getRpcAck().getRequestId(), senderIdentity);
                }
            }
            case RPC_RESPONSE -> onResponse(packet.getRpcResponse(), senderIdentity);
            default -> {
            }
        }
    }

    private void onResponse(LivekitModels.RpcResponse response, String sender) {
        String id = response.getRequestId();
        Pending call = pending.get(id);
        if (call == null || !call.destination.equals(sender)) {
            log.debug("RPC response for unknown (or timed out) request {} from {}", id, sender);
            return;
        }
        pending.remove(id);
        call.acked.complete(null); // a response before its ack is accepted, as in LiveKit's SDKs
        switch (response.getValueCase()) {
            case ERROR -> {
                LivekitModels.RpcError e = response.getError();
                call.response.completeExceptionally(new RpcError(e.getCode(), e.getMessage(), e.getData()));
            }
            case COMPRESSED_PAYLOAD -> call.response.completeExceptionally(RpcError.builtIn(RpcError.APPLICATION_ERROR,
                    "compressed RPC responses are not supported by this client"));
            default -> call.response.complete(response.getPayload());
        }
    }

    private void onRequest(LivekitModels.RpcRequest request, String caller) {
        String id = request.getId();
        // Acknowledge first, whatever follows: the caller gives up after 7 s without it.
        sendNow(DataPacket.newBuilder().addDestinationIdentities(caller)
                .setRpcAck(LivekitModels.RpcAck.newBuilder().setRequestId(id)));
        if (request.getVersion() != VERSION) {
            respondNow(caller, id, RpcError.builtIn(RpcError.UNSUPPORTED_VERSION));
            return;
        }
        Registered registered = handlers.get(request.getMethod());
        if (registered == null) {
            respondNow(caller, id, RpcError.builtIn(RpcError.UNSUPPORTED_METHOD));
            return;
        }
        if (!request.getCompressedPayload().isEmpty()) {
            respondNow(caller, id, RpcError.builtIn(RpcError.APPLICATION_ERROR,
                    "compressed RPC requests are not supported by this client"));
            return;
        }
        RpcInvocationData invocation = new RpcInvocationData(id, caller, request.getPayload(),
                Duration.ofMillis(Integer.toUnsignedLong(request.getResponseTimeoutMs())));
        try {
            pool.execute(() -> run(request.getMethod(), registered, invocation));
        } catch (RejectedExecutionException e) {
            String why = closedReason != null ? "room disconnected"
                    : "too many RPC calls waiting (" + MAX_QUEUED_CALLS + " queued behind " + MAX_HANDLER_THREADS + " running)";
            log.warn("RPC {} from {} refused: {}", request.getMethod(), caller, why);
            respondNow(caller, id, RpcError.builtIn(RpcError.APPLICATION_ERROR, why));
        }
    }

    /** Pool thread: runs the handler and sends its answer. */
    private void run(String method, Registered registered, RpcInvocationData invocation) {
        RpcError error = null;
        String payload = null;
        Thread me = Thread.currentThread();
        ClassLoader previous = me.getContextClassLoader();
        me.setContextClassLoader(registered.contextLoader());
        try {
            String returned = registered.handler().handle(invocation);
            payload = returned == null ? "" : returned;
            if (payload.getBytes(StandardCharsets.UTF_8).length > RpcError.MAX_PAYLOAD_BYTES) {
                log.warn("RPC {} from {}: response of {} bytes is over the limit of {}", method,
                        invocation.callerIdentity(), payload.getBytes(StandardCharsets.UTF_8).length, RpcError.MAX_PAYLOAD_BYTES);
                error = RpcError.builtIn(RpcError.RESPONSE_PAYLOAD_TOO_LARGE);
            }
        } catch (RpcError e) {
            error = e;
        } catch (Throwable t) {
            if (closedReason != null && me.isInterrupted()) {
                return; // the room is over; nobody to answer
            }
            log.warn("RPC handler for {} failed; answering APPLICATION_ERROR", method, t);
            error = RpcError.builtIn(RpcError.APPLICATION_ERROR);
            if (t instanceof VirtualMachineError vme) {
                respond(invocation, null, error);
                throw vme;
            }
        } finally {
            me.setContextClassLoader(previous);
        }
        respond(invocation, payload, error);
    }

    private void respond(RpcInvocationData invocation, String payload, RpcError error) {
        try {
            session.sendPacket(response(invocation.callerIdentity(), invocation.requestId(), payload, error), true,
                    Awaits.deadline(RESPONSE_SEND_TIMEOUT));
        } catch (RoomException e) {
            log.debug("RPC response {} to {} not sent: {}", invocation.requestId(), invocation.callerIdentity(), e.getMessage());
        }
    }

    private void respondNow(String caller, String requestId, RpcError error) {
        sendNow(response(caller, requestId, null, error));
    }

    private static DataPacket.Builder response(String caller, String requestId, String payload, RpcError error) {
        LivekitModels.RpcResponse.Builder r = LivekitModels.RpcResponse.newBuilder().setRequestId(requestId);
        if (error != null) {
            LivekitModels.RpcError.Builder e = LivekitModels.RpcError.newBuilder().setCode(error.code())
                    .setMessage(error.message());
            if (error.data() != null) {
                e.setData(error.data());
            }
            r.setError(e);
        } else {
            r.setPayload(payload);
        }
        return DataPacket.newBuilder().addDestinationIdentities(caller).setRpcResponse(r);
    }

    private void sendNow(DataPacket.Builder packet) {
        if (!session.sendPacketNow(packet)) {
            log.debug("RPC packet to {} not sent: data channel not open", packet.getDestinationIdentitiesList());
        }
    }

    // ---- departures (session thread) ------------------------------------------------------------------

    @Override
    public void onParticipantLeft(String identity) {
        pending.forEach((id, call) -> {
            if (call.destination.equals(identity) && pending.remove(id, call)) {
                call.response.completeExceptionally(RpcError.builtIn(RpcError.RECIPIENT_DISCONNECTED));
            }
        });
    }

    @Override
    public void onRoomClosed(String reason) {
        closedReason = reason;
        pending.forEach((id, call) -> {
            if (pending.remove(id, call)) {
                call.response.completeExceptionally(RpcError.builtIn(RpcError.RECIPIENT_DISCONNECTED,
                        "room disconnected (" + reason + ")"));
            }
        });
        pool.shutdownNow();
    }

    /** Incoming calls waiting for a handler thread (tests). */
    int queuedCalls() {
        return pool.getQueue().size();
    }

    /** Calls waiting for their answer (tests). */
    int pendingCalls() {
        return pending.size();
    }

    /** Whether {@code version} (LiveKit's "1.13.5", maybe with a suffix) is older than major.minor.patch. */
    static boolean olderThan(String version, int major, int minor, int patch) {
        String[] parts = version.trim().replaceFirst("^v", "").split("[.\\-+]");
        int[] want = {major, minor, patch};
        for (int i = 0; i < 3; i++) {
            int have;
            try {
                have = i < parts.length ? Integer.parseInt(parts[i]) : 0;
            } catch (NumberFormatException e) {
                return false; // not a version we can read: let the call go
            }
            if (have != want[i]) {
                return have < want[i];
            }
        }
        return false;
    }
}
