package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.room.SignallingState;
import io.lkworker.serverlink.AccessToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc.LeaveRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LiveKit's own JavaScript client ({@code livekit-client} in headless Chromium) resumes its session on
 * the embedded server: after the server cuts its signalling ({@code dropSignalling}) or tells it to
 * resume ({@code Leave{RESUME}}), it comes back on {@code reconnect=1} and keeps its participant sid and
 * its published track. Skipped, with the reason, without {@code npm ci} in {@code src/test/js} or
 * without Chromium.
 */
@Tag("interop")
class BrowserResumeTest {

    private static final String ROOM = "interop-resume";
    private static final String BROWSER = "browser";
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    private LocalLiveKitServer server;

    @BeforeEach
    void start() throws Exception {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String token(String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, ROOM,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
    }

    private ParticipantInfo browser() {
        return server.participants(ROOM).orElse(List.of()).stream().filter(p -> p.getIdentity().equals(BROWSER))
                .findFirst().orElse(null);
    }

    private SignallingState signalling() {
        return server.signallingState(ROOM, BROWSER).orElseThrow();
    }

    @Test
    void theJsClientResumesAfterItsSignallingIsCutAndAfterLeaveResume() throws Exception {
        Path wav = ToneWav.write(dir.resolve("tone.wav"), 440, 48000, 5, 0.5);
        // The page waits for a peer that never comes: it stays in the room, publishing, for the whole test.
        try (BrowserParticipant page = BrowserParticipant.launch(new BrowserParticipant.Options(
                server.url(), token(BROWSER), "nobody", wav, Duration.ofSeconds(120)))) {
            page.awaitEvent("published", WAIT);
            await().atMost(WAIT).until(() -> browser() != null && browser().getTracksCount() == 1
                    && browser().getState() == ParticipantInfo.State.ACTIVE);
            String sid = browser().getSid();
            String track = browser().getTracks(0).getSid();

            assertThat(server.dropSignalling(ROOM, BROWSER)).isTrue();

            await().atMost(WAIT).until(() -> signalling().resumes() == 1 && signalling().connected());
            // The client finished its resume (ICE restarts answered, peer connections back): it says so.
            await().atMost(WAIT).until(() -> resumedInPage(page) == 1);
            assertThat(browser().getSid()).isEqualTo(sid);
            assertThat(browser().getTracks(0).getSid()).isEqualTo(track);

            assertThat(server.sendLeave(ROOM, BROWSER, LeaveRequest.Action.RESUME)).isTrue();

            await().atMost(WAIT).until(() -> signalling().resumes() == 2 && signalling().connected());
            await().atMost(WAIT).until(() -> resumedInPage(page) == 2);
            assertThat(browser().getSid()).isEqualTo(sid);
            // The resumed session is alive: it keeps pinging past the interval and stays in the room.
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10))
                    .until(() -> signalling().connected() && signalling().resumes() == 2);
            assertThat(page.console()).noneMatch(l -> l.contains("] event disconnected"));
            assertThat(page.console()).noneMatch(l -> l.contains("-> reconnecting"));
        }
    }

    /** How many resumes livekit-client completed, by its own log line. */
    private static long resumedInPage(BrowserParticipant page) {
        return page.console().stream().filter(l -> l.contains("signalReconnecting -> connected")).count();
    }
}
