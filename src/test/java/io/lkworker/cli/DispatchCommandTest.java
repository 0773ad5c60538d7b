package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.util.List;
import java.util.Map;
import livekit.LivekitAgentDispatch.AgentDispatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** dispatch against the LiveKit-protocol server's Twirp API on a loopback port. */
class DispatchCommandTest {

    private static final String SECRET = "Yx7-dispatch-test-secret";

    private LocalLiveKitServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().apiKey("APIprod", SECRET).build()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createsTheDispatchAndPrintsItsId() throws Exception {
        CliRun.Result r = new CliRun().run("dispatch", "--room", "support-1", "--agent-name", "support-bot",
                "--metadata", "{\"lang\":\"fr\"}", "--url", server.url(), "--api-key", "APIprod",
                "--api-secret", SECRET);

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<AgentDispatch> dispatches = server.dispatches("support-1");
        assertThat(dispatches).hasSize(1);
        AgentDispatch d = dispatches.get(0);
        assertThat(r.out()).isEqualTo(d.getId() + "\n");
        assertThat(d.getId()).startsWith("AD_");
        assertThat(d.getAgentName()).isEqualTo("support-bot");
        assertThat(d.getMetadata()).isEqualTo("{\"lang\":\"fr\"}");
        assertThat(r.all()).doesNotContain(SECRET);
    }

    @Test
    void takesUrlAndCredentialsFromTheEnvironmentAndMapsWsToHttp() throws Exception {
        assertThat(server.url()).startsWith("ws://");
        CliRun.Result r = new CliRun().env(Map.of("LIVEKIT_URL", server.url(), "LIVEKIT_API_KEY", "APIprod",
                "LIVEKIT_API_SECRET", SECRET, "LIVEKIT_AGENT_NAME", "env-bot")).run("dispatch", "--room", "r2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(server.dispatches("r2")).singleElement()
                .satisfies(d -> assertThat(d.getAgentName()).isEqualTo("env-bot"));
    }

    @Test
    void loopbackUrlWithoutCredentialsUsesTheDevPair() throws Exception {
        try (LocalLiveKitServer dev = LocalLiveKitServer.create(ServerConfig.builder().build()).start()) {
            CliRun.Result r = new CliRun().run("dispatch", "--room", "dev-room", "--url", dev.url());

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(dev.dispatches("dev-room")).hasSize(1);
        }
    }

    @Test
    void wrongSecretPrintsTheTwirpErrorAndExitsOne() throws Exception {
        CliRun.Result r = new CliRun().run("dispatch", "--room", "support-1", "--url", server.url(),
                "--api-key", "APIprod", "--api-secret", "not-the-secret");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(
                "error: CreateDispatch failed: unauthenticated: invalid authorization token: signature is invalid\n");
        assertThat(r.out()).isEmpty();
        assertThat(server.dispatches("support-1")).isEmpty();
    }

    @Test
    void devCredentialsAreNotSentToARemoteServer() throws Exception {
        CliRun.Result r = new CliRun().run("dispatch", "--room", "x", "--url", "wss://lk.example.com");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --api-key: required for https://lk.example.com");
    }

    @Test
    void keyWithoutSecretIsAnError() throws Exception {
        CliRun.Result r = new CliRun().run("dispatch", "--room", "x", "--url", server.url(), "--api-key", "APIprod");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --api-secret: required for http://127.0.0.1:");
    }

    @Test
    void roomIsRequired() throws Exception {
        CliRun.Result r = new CliRun().run("dispatch", "--url", server.url());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: Missing required option: '--room=ROOM'");
    }

    @Test
    void loopbackDetectionNeedsNoDns() {
        assertThat(DispatchCommand.isLoopback("localhost")).isTrue();
        assertThat(DispatchCommand.isLoopback("127.0.0.1")).isTrue();
        assertThat(DispatchCommand.isLoopback("127.1.2.3")).isTrue();
        assertThat(DispatchCommand.isLoopback("[::1]")).isTrue();
        assertThat(DispatchCommand.isLoopback("128.0.0.1")).isFalse();
        assertThat(DispatchCommand.isLoopback("localhost.example.com")).isFalse();
        assertThat(DispatchCommand.isLoopback("lk.example.com")).isFalse();
    }
}
