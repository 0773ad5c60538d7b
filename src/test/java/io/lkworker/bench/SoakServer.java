package io.lkworker.bench;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.RoomSettings;
import io.lkworker.localserver.ServerConfig;
import java.io.InputStream;
import java.time.Duration;

/**
 * The embedded development server alone in a process, for {@link RoomSoakBenchmark}: prints
 * {@code URL <ws url>} and serves until its standard input closes. A room closes as soon as its last
 * participant left (departure timeout zero), so no client has to delete it.
 */
public final class SoakServer {

    /** Rooms nobody joined: never in the benchmark; the default. */
    private static final Duration EMPTY_TIMEOUT = Duration.ofMinutes(5);

    private SoakServer() {
    }

    public static void main(String[] args) throws Exception {
        RoomSoakBenchmark.quietLogs();
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder()
                .rooms(new RoomSettings(Duration.ZERO, EMPTY_TIMEOUT)).build()).start()) {
            System.out.println("URL " + server.url());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // until the benchmark closes our stdin (or dies)
            }
        }
        System.exit(0);
    }
}
