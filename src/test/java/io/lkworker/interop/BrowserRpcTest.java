package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lkworker.api.rtc.AgentState;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.RpcInvocationData;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiveKit RPC between LiveKit's JavaScript client ({@code livekit-client}) in headless Chromium (the page
 * {@code src/test/js/browser/rpc.html}) and one of our Java room clients, through the embedded server: calls
 * both ways, LiveKit's error codes both ways (unknown method, response timeout, an application's own
 * error), and the page seeing the {@code lk.agent.state} attribute the Java side sets.
 *
 * <p>With {@code -Drpc.bench.calls=N} it also times N round trips each way and logs p50/p95
 * ({@code benchmarks/results-rpc.md}). Skipped without {@code npm ci} in {@code src/test/js} or Chromium.
 */
@Tag("interop")
class BrowserRpcTest {

    private static final Logger log = LoggerFactory.getLogger(BrowserRpcTest.class);
    private static final String ROOM = "interop-rpc";
    private static final String BROWSER = "browser";
    private static final String JAVA = "java-rpc";

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private RtcRoom java;

    @BeforeEach
    void start() throws Exception {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
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

    @Test
    void rpcBothWaysWithLiveKitsJsClient() throws Exception {
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
        java.localParticipant().setAgentState(AgentState.INITIALIZING);

        Path wav = ToneWav.write(dir.resolve("tone.wav"), 440, 48000, 2, 0.1);
        try (BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(server.url(),
                token(BROWSER), JAVA, wav, Duration.ofSeconds(20)).withPage("rpc",
                Map.of("benchCalls", String.valueOf(benchCalls))))) {
            browser.awaitEvent("ready", Duration.ofSeconds(40));
            var me = java.localParticipant();

            // Java -> browser: the answer, and LiveKit's codes for what goes wrong
            assertThat(me.performRpc(BROWSER, "browser.echo", "hi from java")).isEqualTo("browser got hi from java from " + JAVA);
            RpcError unknown = rpcError(() -> me.performRpc(BROWSER, "browser.nope", ""));
            assertThat(unknown.code()).isEqualTo(RpcError.UNSUPPORTED_METHOD);
            assertThat(unknown.message()).isEqualTo("Method not supported at destination");
            RpcError slow = rpcError(() -> me.performRpc(BROWSER, "browser.slow", "", Duration.ofSeconds(1)));
            assertThat(slow.code()).isEqualTo(RpcError.RESPONSE_TIMEOUT);
            RpcError custom = rpcError(() -> me.performRpc(BROWSER, "browser.fail", ""));
            assertThat(custom.code()).isEqualTo(4002);
            assertThat(custom.message()).isEqualTo("browser says no");
            assertThat(custom.data()).isEqualTo("browser data");
            RpcError thrown = rpcError(() -> me.performRpc(BROWSER, "browser.throw", ""));
            assertThat(thrown.code()).isEqualTo(RpcError.APPLICATION_ERROR);

            // the agent state the page watches
            for (AgentState s : List.of(AgentState.LISTENING, AgentState.THINKING, AgentState.SPEAKING)) {
                me.setAgentState(s); // returns once the server applied it
            }

            List<Double> javaToBrowser = new ArrayList<>();
            for (int i = 0; i < benchCalls; i++) {
                long t0 = System.nanoTime();
                me.performRpc(BROWSER, "browser.echo", "bench " + i);
                javaToBrowser.add((System.nanoTime() - t0) / 1e6);
            }

            browser.awaitEvent("browser-calls-done", Duration.ofSeconds(60 + benchCalls / 10));
            assertThat(me.performRpc(BROWSER, "browser.done", "")).isEqualTo("bye");
            JsonObject report = browser.awaitJsonReport(Duration.ofSeconds(30));

            assertThat(report.get("error").isJsonNull()).as("the page's first failure: %s", report.get("error")).isTrue();
            // browser -> Java
            assertThat(report.get("javaEcho").getAsString()).isEqualTo("java got hi from browser from " + BROWSER);
            assertThat(invocations).first().satisfies(inv -> {
                assertThat(inv.callerIdentity()).isEqualTo(BROWSER);
                assertThat(inv.requestId()).hasSize(36);
                // livekit-client puts max(timeout, 8 s) on the wire: its default 15 s here
                assertThat(inv.responseTimeout()).isEqualTo(Duration.ofSeconds(15));
            });
            JsonObject javaFail = report.getAsJsonObject("javaFail");
            assertThat(javaFail.get("code").getAsInt()).isEqualTo(4001);
            assertThat(javaFail.get("message").getAsString()).isEqualTo("java says no");
            assertThat(javaFail.get("data").getAsString()).isEqualTo("java data");
            JsonObject unknownInBrowser = report.getAsJsonObject("unknownMethod");
            assertThat(unknownInBrowser.get("code").getAsInt()).isEqualTo(RpcError.UNSUPPORTED_METHOD);
            JsonObject timeoutInBrowser = report.getAsJsonObject("responseTimeout");
            assertThat(timeoutInBrowser.get("code").getAsInt()).isEqualTo(RpcError.RESPONSE_TIMEOUT);
            // what the page's handlers were given by our calls
            JsonObject first = report.getAsJsonArray("invocations").get(0).getAsJsonObject();
            assertThat(first.get("method").getAsString()).isEqualTo("browser.echo");
            assertThat(first.get("callerIdentity").getAsString()).isEqualTo(JAVA);
            assertThat(first.get("responseTimeout").getAsInt()).isEqualTo(15000);
            // lk.agent.state as the page saw it change
            List<String> states = new ArrayList<>();
            report.getAsJsonArray("agentStates").forEach(e -> states.add(e.getAsString()));
            assertThat(states).containsSubsequence("initializing", "listening", "thinking", "speaking");

            if (benchCalls > 0) {
                List<Double> browserToJava = new ArrayList<>();
                JsonArray bench = report.getAsJsonArray("benchMs");
                for (JsonElement e : bench) {
                    browserToJava.add(e.getAsDouble());
                }
                log.info("RPC round trip browser -> Java over {} calls: {}", browserToJava.size(), percentiles(browserToJava));
                log.info("RPC round trip Java -> browser over {} calls: {}", javaToBrowser.size(), percentiles(javaToBrowser));
                System.out.println("RPC browser->java " + percentiles(browserToJava));
                System.out.println("RPC java->browser " + percentiles(javaToBrowser));
            }
        }
    }

    static String percentiles(List<Double> ms) {
        List<Double> s = new ArrayList<>(ms);
        s.sort(null);
        if (s.isEmpty()) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.2f ms, p95 %.2f ms, max %.2f ms (n=%d)",
                s.get((int) Math.floor(0.50 * (s.size() - 1))), s.get((int) Math.floor(0.95 * (s.size() - 1))),
                s.get(s.size() - 1), s.size());
    }
}
