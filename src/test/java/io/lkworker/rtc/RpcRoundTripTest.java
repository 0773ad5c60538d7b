package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.rtc.AgentState;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.Participant;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.RpcInvocationData;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitRtc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LiveKit RPC between two of our room clients through the embedded server: the round trip, every
 * error code the two ends can provoke, and where handlers run.
 */
@Tag("rtc")
class RpcRoundTripTest {

    private LocalLiveKitServer server;
    private final List<RtcRoom> rooms = new ArrayList<>();
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        rooms.forEach(RtcRoom::disconnect);
        server.close();
    }

    private RtcRoom join(String room, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        rooms.add(r);
        return r;
    }

    /** alice and bob in one room, each seeing the other. */
    private RtcRoom[] pair(String room) {
        RtcRoom alice = join(room, "alice");
        RtcRoom bob = join(room, "bob");
        await().atMost(5, TimeUnit.SECONDS).until(() -> alice.remoteParticipants().containsKey("bob")
                && bob.remoteParticipants().containsKey("alice"));
        return new RtcRoom[] {alice, bob};
    }

    private static RpcError rpcError(Runnable call) {
        try {
            call.run();
        } catch (RpcError e) {
            return e;
        }
        throw new AssertionError("expected an RpcError");
    }

    @Test
    void aCallIsAnsweredAndTheHandlerSeesTheInvocation() {
        RtcRoom[] r = pair("rpc-round-trip");
        CompletableFuture<RpcInvocationData> seen = new CompletableFuture<>();
        r[1].localParticipant().registerRpcMethod("greet", inv -> {
            seen.complete(inv);
            return "hello " + inv.callerIdentity() + ": " + inv.payload();
        });
        String answer = r[0].localParticipant().performRpc("bob", "greet", "{\"x\":1}");
        assertThat(answer).isEqualTo("hello alice: {\"x\":1}");
        RpcInvocationData inv = seen.join();
        assertThat(inv.requestId()).hasSize(36);
        assertThat(inv.responseTimeout()).isEqualTo(Duration.ofSeconds(15));

        // and the other way, with an explicit timeout, empty payload, null answer sent as ""
        r[0].localParticipant().registerRpcMethod("nothing", i -> null);
        assertThat(r[1].localParticipant().performRpc("alice", "nothing", "", Duration.ofSeconds(3))).isEmpty();
        // unicode survives
        r[0].localParticipant().registerRpcMethod("echo", RpcInvocationData::payload);
        assertThat(r[1].localParticipant().performRpc("alice", "echo", "grüße 🎉")).isEqualTo("grüße 🎉");
        assertThat(session(r[0]).rpc.pendingCalls()).isZero();
        assertThat(session(r[1]).rpc.pendingCalls()).isZero();
    }

    @Test
    void unknownMethodsAndUnregisteredOnesAreUnsupported() {
        RtcRoom[] r = pair("rpc-unknown");
        assertThat(rpcError(() -> r[0].localParticipant().performRpc("bob", "nope", "")).code())
                .isEqualTo(RpcError.UNSUPPORTED_METHOD);
        r[1].localParticipant().registerRpcMethod("m", i -> "ok");
        assertThatThrownBy(() -> r[1].localParticipant().registerRpcMethod("m", i -> "again"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already registered");
        assertThat(r[0].localParticipant().performRpc("bob", "m", "")).isEqualTo("ok");
        r[1].localParticipant().unregisterRpcMethod("m");
        RpcError e = rpcError(() -> r[0].localParticipant().performRpc("bob", "m", ""));
        assertThat(e.code()).isEqualTo(RpcError.UNSUPPORTED_METHOD);
        assertThat(e.getMessage()).isEqualTo("Method not supported at destination");
        r[1].localParticipant().registerRpcMethod("m", i -> "back");
        assertThat(r[0].localParticipant().performRpc("bob", "m", "")).isEqualTo("back");
    }

    @Test
    void handlerErrorsReachTheCaller() {
        RtcRoom[] r = pair("rpc-errors");
        r[1].localParticipant().registerRpcMethod("custom", i -> {
            throw new RpcError(42, "no can do", "{\"why\":\"because\"}");
        });
        r[1].localParticipant().registerRpcMethod("crash", i -> {
            throw new IllegalStateException("secret internals");
        });
        r[1].localParticipant().registerRpcMethod("checked", i -> {
            throw new java.io.IOException("disk");
        });
        RpcError custom = rpcError(() -> r[0].localParticipant().performRpc("bob", "custom", ""));
        assertThat(custom.code()).isEqualTo(42);
        assertThat(custom.message()).isEqualTo("no can do");
        assertThat(custom.data()).isEqualTo("{\"why\":\"because\"}");
        RpcError crash = rpcError(() -> r[0].localParticipant().performRpc("bob", "crash", ""));
        assertThat(crash.code()).isEqualTo(RpcError.APPLICATION_ERROR);
        assertThat(crash.message()).isEqualTo("Application error in method handler");
        assertThat(crash.data()).isNull();
        assertThat(rpcError(() -> r[0].localParticipant().performRpc("bob", "checked", "")).code())
                .isEqualTo(RpcError.APPLICATION_ERROR);
    }

    @Test
    void aSlowHandlerIsAResponseTimeoutAndAnAbsentRecipientAConnectionTimeout() {
        RtcRoom[] r = pair("rpc-timeouts");
        r[1].localParticipant().registerRpcMethod("slow", i -> {
            Thread.sleep(3000);
            return "late";
        });
        RpcError slow = rpcError(() -> r[0].localParticipant().performRpc("bob", "slow", "", Duration.ofSeconds(1)));
        assertThat(slow.code()).isEqualTo(RpcError.RESPONSE_TIMEOUT);
        assertThat(slow.message()).isEqualTo("Response timeout");

        // nobody acknowledges: a timeout shorter than the 7 s allowed for the ack ends as CONNECTION_TIMEOUT
        RpcError absent = rpcError(() -> r[0].localParticipant().performRpc("nobody", "slow", "", Duration.ofMillis(1500)));
        assertThat(absent.code()).isEqualTo(RpcError.CONNECTION_TIMEOUT);
        // the late answer to the first call is dropped quietly
        await().atMost(5, TimeUnit.SECONDS).until(() -> session(r[0]).rpc.pendingCalls() == 0);
        assertThat(r[0].localParticipant().performRpc("bob", "slow", "", Duration.ofSeconds(5)))
                .isEqualTo("late");
    }

    @Test
    void payloadsOverTheLimitAreRefused() {
        RtcRoom[] r = pair("rpc-sizes");
        r[1].localParticipant().registerRpcMethod("size", i -> String.valueOf(i.payload().length()));
        r[1].localParticipant().registerRpcMethod("big", i -> "x".repeat(Integer.parseInt(i.payload())));
        String max = "y".repeat(RpcError.MAX_PAYLOAD_BYTES);
        assertThat(r[0].localParticipant().performRpc("bob", "size", max)).isEqualTo("15360");
        assertThat(rpcError(() -> r[0].localParticipant().performRpc("bob", "size", max + "y")).code())
                .isEqualTo(RpcError.REQUEST_PAYLOAD_TOO_LARGE);
        // bytes, not characters: 7681 two-byte characters are 15362 bytes
        assertThat(rpcError(() -> r[0].localParticipant().performRpc("bob", "size", "é".repeat(7681))).code())
                .isEqualTo(RpcError.REQUEST_PAYLOAD_TOO_LARGE);
        assertThat(r[0].localParticipant().performRpc("bob", "big", "15360")).hasSize(15360);
        RpcError tooBig = rpcError(() -> r[0].localParticipant().performRpc("bob", "big", "15361"));
        assertThat(tooBig.code()).isEqualTo(RpcError.RESPONSE_PAYLOAD_TOO_LARGE);
    }

    @Test
    void errorMessagesAndDataAreTruncatedToLiveKitsLimits() {
        RpcError e = new RpcError(7, "é".repeat(200), "d".repeat(20000));
        assertThat(e.message().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(256);
        assertThat(e.data()).hasSize(RpcError.MAX_DATA_BYTES);
        assertThat(new RpcError(7, "😀".repeat(100)).message()).hasSize(128); // 64 four-byte characters, never split
        assertThat(RpcEndpoint.olderThan("1.7.2", 1, 8, 0)).isTrue();
        assertThat(RpcEndpoint.olderThan("1.8.0", 1, 8, 0)).isFalse();
        assertThat(RpcEndpoint.olderThan("1.13.5", 1, 8, 0)).isFalse();
        assertThat(RpcEndpoint.olderThan("v2.0.0-rc1", 1, 8, 0)).isFalse();
        assertThat(RpcEndpoint.olderThan("0.15.1", 1, 8, 0)).isTrue();
    }

    @Test
    void aCallFailsWhenTheRecipientLeavesOrTheRoomCloses() throws Exception {
        RtcRoom[] r = pair("rpc-leave");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        r[1].localParticipant().registerRpcMethod("hang", i -> {
            entered.countDown();
            never.await();
            return "never";
        });
        Future<RpcError> call = callers.submit(() -> rpcError(() -> r[0].localParticipant().performRpc("bob", "hang", "")));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        r[1].disconnect();
        // (well before the 15 s response timeout, which would be RESPONSE_TIMEOUT)
        assertThat(call.get(10, TimeUnit.SECONDS).code()).isEqualTo(RpcError.RECIPIENT_DISCONNECTED);

        // our own room closing fails our pending calls too
        RtcRoom carol = join("rpc-leave", "carol");
        await().atMost(5, TimeUnit.SECONDS).until(() -> r[0].remoteParticipants().containsKey("carol"));
        CountDownLatch carolEntered = new CountDownLatch(1);
        carol.localParticipant().registerRpcMethod("hang", i -> {
            carolEntered.countDown();
            never.await();
            return "never";
        });
        Future<RpcError> call2 = callers.submit(() -> rpcError(() -> r[0].localParticipant().performRpc("carol", "hang", "")));
        assertThat(carolEntered.await(5, TimeUnit.SECONDS)).isTrue();
        r[0].disconnect();
        RpcError closed = call2.get(10, TimeUnit.SECONDS);
        assertThat(closed.code()).isEqualTo(RpcError.RECIPIENT_DISCONNECTED);
        assertThat(closed.data()).contains("room disconnected");
        // and calls after that cannot be sent
        assertThat(rpcError(() -> r[0].localParticipant().performRpc("carol", "hang", "")).code())
                .isEqualTo(RpcError.SEND_FAILED);
    }

    @Test
    void handlersRunConcurrentlyOnTheRpcPoolNotOnTheEventThread() throws Exception {
        RtcRoom[] r = pair("rpc-threads");
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CompletableFuture<String> eventThread = new CompletableFuture<>();
        r[1].addListener(new RoomListener() {
            @Override
            public void onParticipantAttributesChanged(Map<String, String> changed, Participant participant) {
                eventThread.complete(Thread.currentThread().getName());
            }
        });
        // each handler waits until all 8 are running at once: handlers run one after the other would
        // never get there and answer "alone"
        int n = 8;
        CountDownLatch allRunning = new CountDownLatch(n);
        r[1].localParticipant().registerRpcMethod("together", i -> {
            threads.add(Thread.currentThread().getName());
            allRunning.countDown();
            return allRunning.await(10, TimeUnit.SECONDS) ? i.payload() : "alone";
        });
        List<Future<String>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String p = "call-" + i;
            calls.add(callers.submit(() -> r[0].localParticipant().performRpc("bob", "together", p)));
        }
        for (int i = 0; i < n; i++) {
            assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("call-" + i);
        }
        assertThat(threads).hasSize(n).allMatch(name -> name.startsWith("lk-rpc-"));
        r[0].localParticipant().setAttributes(Map.of("k", "v"));
        assertThat(eventThread.get(5, TimeUnit.SECONDS)).isNotIn(threads).doesNotStartWith("lk-rpc-");
    }

    @Test
    void callsBeyondThePoolAndItsQueueAreRefusedAtOnce() throws Exception {
        RtcRoom[] r = pair("rpc-pool-full");
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        r[1].localParticipant().registerRpcMethod("block", i -> {
            running.incrementAndGet();
            return release.await(60, TimeUnit.SECONDS) ? "released" : "never released";
        });
        r[1].localParticipant().registerRpcMethod("quick", i -> "quick");
        int capacity = RpcEndpoint.MAX_HANDLER_THREADS + RpcEndpoint.MAX_QUEUED_CALLS;
        List<Future<String>> calls = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            calls.add(callers.submit(() -> r[0].localParticipant().performRpc("bob", "block", "", Duration.ofSeconds(60))));
        }
        RpcEndpoint bob = session(r[1]).rpc;
        await().atMost(30, TimeUnit.SECONDS).until(() -> running.get() == RpcEndpoint.MAX_HANDLER_THREADS
                && bob.queuedCalls() == RpcEndpoint.MAX_QUEUED_CALLS);
        RpcError full = rpcError(() -> r[0].localParticipant().performRpc("bob", "quick", ""));
        assertThat(full.code()).isEqualTo(RpcError.APPLICATION_ERROR);
        assertThat(full.data()).contains("too many RPC calls waiting");
        release.countDown();
        for (Future<String> call : calls) {
            assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo("released");
        }
        assertThat(r[0].localParticipant().performRpc("bob", "quick", "")).isEqualTo("quick");
    }

    @Test
    void registeredMethodsSurviveAResumeAndAFullReconnect() {
        RtcRoom[] r = pair("rpc-reconnect");
        List<String> bobEvents = new CopyOnWriteArrayList<>();
        r[1].addListener(new RoomListener() {
            @Override
            public void onReconnected() {
                bobEvents.add("reconnected");
            }
        });
        r[1].localParticipant().registerRpcMethod("who", i -> "bob " + r[1].localParticipant().sid());
        r[0].localParticipant().registerRpcMethod("who", i -> "alice");
        String sidBefore = r[1].localParticipant().sid();
        assertThat(r[0].localParticipant().performRpc("bob", "who", "")).isEqualTo("bob " + sidBefore);

        assertThat(server.sendLeave("rpc-reconnect", "bob", LivekitRtc.LeaveRequest.Action.RESUME)).isTrue();
        await().atMost(30, TimeUnit.SECONDS).until(() -> bobEvents.size() == 1
                && r[1].connectionState() == io.lkworker.api.rtc.ConnectionState.CONNECTED);
        assertThat(r[0].localParticipant().performRpc("bob", "who", "")).startsWith("bob ");
        assertThat(r[1].localParticipant().performRpc("alice", "who", "")).isEqualTo("alice");

        assertThat(server.sendLeave("rpc-reconnect", "bob", LivekitRtc.LeaveRequest.Action.RECONNECT)).isTrue();
        await().atMost(30, TimeUnit.SECONDS).until(() -> bobEvents.size() == 2
                && r[1].connectionState() == io.lkworker.api.rtc.ConnectionState.CONNECTED
                && r[0].remoteParticipants().containsKey("bob")
                && !r[1].localParticipant().sid().equals(sidBefore));
        String sidAfter = r[1].localParticipant().sid();
        assertThat(r[0].localParticipant().performRpc("bob", "who", "")).isEqualTo("bob " + sidAfter);
        assertThat(r[1].localParticipant().performRpc("alice", "who", "")).isEqualTo("alice");
    }

    @Test
    void otherVersionsAndOldServersAreRefusedAndServerCallsAreAnsweredToTheIdentityReceived() throws Exception {
        RtcRoom[] r = pair("rpc-version");
        List<String> callers = new CopyOnWriteArrayList<>();
        r[1].localParticipant().registerRpcMethod("m", i -> {
            callers.add(i.callerIdentity());
            return "ok";
        });
        // a request of another protocol version is acknowledged and refused
        RpcError v2 = rpcError(() -> session(r[0]).rpc.performRpc("bob", "m", "", Duration.ofSeconds(5), 2));
        assertThat(v2.code()).isEqualTo(RpcError.UNSUPPORTED_VERSION);
        assertThat(callers).isEmpty();
        // a server older than 1.8.0 (as its JoinResponse says) does not forward RPC: refused before sending
        assertThat(session(r[0]).serverVersion()).isNotEmpty();
        setServerVersion(session(r[0]), "1.7.2");
        RpcError old = rpcError(() -> r[0].localParticipant().performRpc("bob", "m", ""));
        assertThat(old.code()).isEqualTo(RpcError.UNSUPPORTED_SERVER);
        assertThat(callers).isEmpty();
        // A request as the server sends it for RoomService.PerformRpc: the packet's identity is the request id.
        RtcSession bob = session(r[1]);
        bob.exec.execute(() -> bob.rpc.onPacket(DataPacket.newBuilder().setParticipantIdentity("srv-req-1")
                .setRpcRequest(LivekitModels.RpcRequest.newBuilder().setId("srv-req-1").setMethod("m").setPayload("")
                        .setResponseTimeoutMs(5000).setVersion(1)).build(), "srv-req-1"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> callers.contains("srv-req-1"));
        assertThat(callers).containsExactly("srv-req-1");
    }

    @Test
    void agentStateIsPublishedAsTheLkAgentStateAttribute() {
        RtcRoom[] r = pair("rpc-agent-state");
        r[0].localParticipant().setAgentState(AgentState.THINKING);
        await().atMost(5, TimeUnit.SECONDS).until(() ->
                "thinking".equals(r[1].remoteParticipants().get("alice").attributes().get("lk.agent.state")));
        r[0].localParticipant().setAgentState(AgentState.SPEAKING);
        await().atMost(5, TimeUnit.SECONDS).until(() ->
                "speaking".equals(r[1].remoteParticipants().get("alice").attributes().get("lk.agent.state")));
        assertThat(AgentState.fromValue("listening")).isEqualTo(AgentState.LISTENING);
        assertThat(AgentState.INITIALIZING.value()).isEqualTo("initializing");
        assertThat(AgentState.IDLE.value()).isEqualTo("idle");
    }

    private static void setServerVersion(RtcSession session, String version) {
        try {
            Field f = RtcSession.class.getDeclaredField("serverVersion");
            f.setAccessible(true);
            f.set(session, version);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static RtcSession session(RtcRoom room) {
        try {
            Field f = RtcRoom.class.getDeclaredField("session");
            f.setAccessible(true);
            return (RtcSession) f.get(room);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
