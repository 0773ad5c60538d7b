package io.lkworker.serverlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent;
import org.junit.jupiter.api.Test;

/** The worker's socket to the server. */
class LiveKitSocketTest {

    /**
     * Nagle's algorithm held the second of two small frames written back to back (a status, then an
     * availability answer) until the server's delayed ACK: ~40 ms on every offer. The socket must
     * have TCP_NODELAY once connected (WorkerBenchmark shows the latency; this shows the cause).
     */
    @Test
    void connectedSocketHasTcpNoDelay() throws Exception {
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start()) {
            EventLoop loop = new EventLoop(Clock.system()).start("socket-test-loop");
            try {
                CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
                String token = AccessToken.workerToken("devkey", "secret", System.currentTimeMillis(), Duration.ofMinutes(5));
                LiveKitSocket socket = new LiveKitSocket(ServerUrl.agentEndpoint(server.url()), token, loop,
                        new LiveKitSocket.Listener() {
                            @Override
                            public void onOpen(LiveKitSocket s) {
                                noDelay.complete(s.tcpNoDelay());
                            }

                            @Override
                            public void onMessage(LiveKitSocket s, LivekitAgent.ServerMessage message) {
                            }

                            @Override
                            public void onClosed(LiveKitSocket s, ConnectionFailure failure) {
                                noDelay.completeExceptionally(new AssertionError("closed: " + failure));
                            }
                        });
                socket.connect();
                assertThat(noDelay.get(10, TimeUnit.SECONDS)).isTrue();
                socket.close();
            } finally {
                loop.close();
            }
        }
    }
}
