package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.RpcInvocationData;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiveKit RPC between LiveKit's Rust-based Node client ({@code @livekit/rtc-node}, driven by
 * {@code src/test/js/rtc-node-rpc.mjs}) and one of our Java room clients, through the embedded server: a
 * round trip each way, and LiveKit's codes for an unknown method, a response timeout and an application's
 * own error, each way.
 *
 * <p>{@code @livekit/rtc-node} (LiveKit's Node SDK on the Rust core the Python agents use) is one of
 * {@code src/test/js}'s packages; {@code -Dlkworker.rtcnode.dir=DIR} runs the script against another
 * install (another version). With {@code -Drpc.bench.calls=N} it also times N round trips each way.
 */
@Tag("interop")
class RtcNodeRpcTest {

    private static final Logger log = LoggerFactory.getLogger(RtcNodeRpcTest.class);
    private static final Gson GSON = new Gson();
    private static final String ROOM = "interop-rtc-node-rpc";
    private static final String NODE = "rtc-node";
    private static final String JAVA = "java-rpc";

    private LocalLiveKitServer server;
    private RtcRoom java;
    private Process node;
    private final Map<String, CompletableFuture<JsonObject>> events = new ConcurrentHashMap<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    static Path rtcNodeDir() {
        String configured = System.getProperty("lkworker.rtcnode.dir");
        return configured != null ? Path.of(configured).toAbsolutePath() : InteropEnvironment.jsDir();
    }

    @BeforeEach
    void start() throws Exception {
        InteropEnvironment.assumeNode();
        if (System.getProperty("lkworker.rtcnode.dir") == null) {
            InteropEnvironment.assumeNpmPackage("@livekit/rtc-node");
        } else {
            Path pkg = rtcNodeDir().resolve("node_modules/@livekit/rtc-node/package.json");
            assumeTrue(Files.isRegularFile(pkg), () -> "skipped: " + pkg + " is missing");
        }
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (node != null && node.isAlive()) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
        if (java != null) {
            java.disconnect();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String token(String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
    }

    private static RpcError rpcError(Runnable call) {
        try {
            call.run();
        } catch (RpcError e) {
            return e;
        }
        throw new AssertionError("expected an RpcError");
    }

    private JsonObject awaitEvent(String name, Duration timeout) throws Exception {
        CompletableFuture<JsonObject> f = events.computeIfAbsent(name, n -> new CompletableFuture<>());
        if (closed && !f.isDone()) {
            throw new AssertionError("rtc-node-rpc.mjs exited before '" + name + "'; its output:\n" + String.join("\n", output));
        }
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (AssertionError) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("rtc-node-rpc.mjs did not say '" + name + "' within " + timeout + "; its output:\n"
                    + String.join("\n", output));
        }
    }

    private void startNode(int benchCalls) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(InteropEnvironment.node().toString(),
                InteropEnvironment.jsDir().resolve("rtc-node-rpc.mjs").toString(), server.url(), token(NODE), JAVA,
                String.valueOf(benchCalls)).redirectErrorStream(true);
        pb.environment().put("LK_RTC_NODE_DIR", rtcNodeDir().toString());
        node = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.startsWith("RPCTEST ")) {
                        JsonObject e = GSON.fromJson(line.substring("RPCTEST ".length()), JsonObject.class);
                        log.info("rtc-node: {}", line);
                        events.computeIfAbsent(e.get("event").getAsString(), n -> new CompletableFuture<>()).complete(e);
                    } else {
                        log.debug("rtc-node output: {}", line);
                    }
                }
            } catch (IOException e) {
                // gone
            }
            // the script is gone: whatever was still awaited never comes
            AssertionError gone = new AssertionError("rtc-node-rpc.mjs exited; its output:\n" + String.join("\n", output));
            events.values().forEach(f -> f.completeExceptionally(gone));
            closed = true;
        }, "rtc-node-output");
        pump.setDaemon(true);
        pump.start();
    }

    @Test
    void rpcBothWaysWithLiveKitsRustBasedNodeClient() throws Exception {
        int benchCalls = Integer.getInteger("rpc.bench.calls", 0);
        java = RtcRoom.connect(server.url(), token(JAVA), ConnectOptions.defaults());
        List<RpcInvocationData> invocations = new CopyOnWriteArrayList<>();
        java.localParticipant().registerRpcMethod("java.echo", inv -> {
            invocations.add(inv);
            return "java got " + inv.payload() + " from " + inv.callerIdentity();
        });
        java.localParticipant().registerRpcMethod("java.fail", inv -> {
            throw new RpcError(4001, "java says no", "java data");
        });
        java.localParticipant().registerRpcMethod("java.slow", inv -> {
            Thread.sleep(3000);
            return "too late";
        });
        startNode(benchCalls);
        awaitEvent("ready", Duration.ofSeconds(40));
        var me = java.localParticipant();

        assertThat(me.performRpc(NODE, "node.echo", "hi from java")).isEqualTo("node got hi from java from " + JAVA);
        assertThat(rpcError(() -> me.performRpc(NODE, "node.nope", "")).code()).isEqualTo(RpcError.UNSUPPORTED_METHOD);
        RpcError custom = rpcError(() -> me.performRpc(NODE, "node.fail", ""));
        assertThat(custom.code()).isEqualTo(4003);
        assertThat(custom.message()).isEqualTo("node says no");
        assertThat(custom.data()).isEqualTo("node data");
        List<Double> javaToNode = new ArrayList<>();
        for (int i = 0; i < benchCalls; i++) {
            long t0 = System.nanoTime();
            me.performRpc(NODE, "node.echo", "bench " + i);
            javaToNode.add((System.nanoTime() - t0) / 1e6);
        }

        awaitEvent("node-calls-done", Duration.ofSeconds(60 + benchCalls / 10));
        assertThat(me.performRpc(NODE, "node.done", "")).isEqualTo("bye");
        JsonObject report = awaitEvent("report", Duration.ofSeconds(30)).getAsJsonObject("report");
        assertThat(report.get("error").isJsonNull()).as("the script's failure: %s", report.get("error")).isTrue();
        log.info("@livekit/rtc-node {}", report.get("rtcNodeVersion").getAsString());
        assertThat(report.get("javaEcho").getAsString()).isEqualTo("java got hi from node from " + NODE);
        assertThat(invocations).first().satisfies(inv -> assertThat(inv.callerIdentity()).isEqualTo(NODE));
        JsonObject javaFail = report.getAsJsonObject("javaFail");
        assertThat(javaFail.get("code").getAsInt()).isEqualTo(4001);
        assertThat(javaFail.get("message").getAsString()).isEqualTo("java says no");
        assertThat(javaFail.get("data").getAsString()).isEqualTo("java data");
        assertThat(report.getAsJsonObject("unknownMethod").get("code").getAsInt()).isEqualTo(RpcError.UNSUPPORTED_METHOD);
        JsonObject timeout = report.getAsJsonObject("responseTimeout");
        assertThat(timeout.get("code").getAsInt()).isEqualTo(RpcError.RESPONSE_TIMEOUT);
        JsonObject first = report.getAsJsonArray("invocations").get(0).getAsJsonObject();
        assertThat(first.get("callerIdentity").getAsString()).isEqualTo(JAVA);
        assertThat(first.get("payload").getAsString()).isEqualTo("hi from java");
        assertThat(node.waitFor(20, TimeUnit.SECONDS)).as("rtc-node-rpc.mjs exits").isTrue();
        assertThat(node.exitValue()).isZero();

        if (benchCalls > 0) {
            List<Double> nodeToJava = new ArrayList<>();
            for (JsonElement e : report.getAsJsonArray("benchMs")) {
                nodeToJava.add(e.getAsDouble());
            }
            System.out.println("RPC rtc-node->java " + BrowserRpcTest.percentiles(nodeToJava));
            System.out.println("RPC java->rtc-node " + BrowserRpcTest.percentiles(javaToNode));
        }
    }
}
