package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.ClientInfo;
import livekit.LivekitModels.ParticipantInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LiveKit's own JavaScript client ({@code livekit-client}, pinned in {@code src/test/js/package.json}) in
 * Debian's headless Chromium joins a room on our embedded server and talks with one of our Java room
 * clients: audio both ways (the browser's fake microphone plays a 440 Hz tone, our peer hears it and sends
 * it back, the page measures what it hears with WebAudio) and data both ways on topic {@code chat}.
 * Skipped, with the reason, without {@code npm ci} in {@code src/test/js} or without Chromium.
 */
@Tag("interop")
class BrowserInteropTest {

    private static final String ROOM = "interop-browser";
    private static final String BROWSER = "browser";
    private static final String PEER = "java-echo";
    static final double TONE_HZ = 440;

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
                identity, identity + " name", System.currentTimeMillis(), Duration.ofMinutes(10));
    }

    @Test
    void livekitClientInChromiumTalksAndListensThroughTheEmbeddedServer() throws Exception {
        Path wav = ToneWav.write(dir.resolve("tone-440.wav"), TONE_HZ, 48000, 5, 0.5);
        try (JavaEchoPeer peer = JavaEchoPeer.join(server.url(), token(PEER), BROWSER);
             BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(
                     server.url(), token(BROWSER), PEER, wav, Duration.ofSeconds(20)))) {

            browser.awaitEvent("connected", Duration.ofSeconds(40));
            // our server has the JS client in the room
            await().atMost(10, TimeUnit.SECONDS).until(() -> server.room(ROOM) != null && participant(BROWSER) != null);
            assertThat(participant(BROWSER).getName()).isEqualTo("browser name");
            ClientInfo client = server.clientInfo(ROOM, BROWSER).orElseThrow();
            assertThat(client.getSdk()).isEqualTo(ClientInfo.SDK.JS);
            assertThat(client.getVersion()).isEqualTo("2.23.0");

            // our Java peer hears the browser's microphone: the tone file, at its frequency
            // (judged on 500 ms of sound only: a window that still holds the onset or silence has no clean pitch)
            await().atMost(30, TimeUnit.SECONDS).until(() -> peer.steadilyAbove(1000));
            double heardByJava = peer.heardFrequency();
            assertThat(heardByJava).as("dominant frequency our Java peer hears from the browser")
                    .isCloseTo(TONE_HZ, org.assertj.core.data.Percentage.withPercentage(10));

            // data from Java to the browser, and the browser's answer back (once the page heard us, its
            // connections are surely up)
            browser.awaitEvent("heard", Duration.ofSeconds(30));
            peer.send("hello from java");
            await().atMost(10, TimeUnit.SECONDS).until(() -> peer.received().contains(
                    new JavaEchoPeer.Received(BROWSER, "chat", "echo: hello from java")));

            BrowserReport report = browser.awaitReport(Duration.ofSeconds(60));
            assertThat(report.error()).as("the page's first failure").isNull();
            assertThat(report.connected()).isTrue();
            assertThat(report.identity()).isEqualTo(BROWSER);
            assertThat(report.room()).isEqualTo(ROOM);
            assertThat(report.sdkVersion()).isEqualTo("2.23.0");
            // the browser sees our Java peer
            assertThat(report.remoteParticipants()).anySatisfy(p -> {
                assertThat(p.identity()).isEqualTo(PEER);
                assertThat(p.name()).isEqualTo("java-echo name");
                assertThat(p.sid()).isEqualTo(peer.room().localParticipant().sid());
            });
            // and hears its echo of the tone
            assertThat(report.peerTrack().sid()).isEqualTo(peer.publication().sid());
            assertThat(report.heard().rmsDbfs()).as("level the browser hears (dBFS)").isGreaterThan(-40);
            assertThat(report.heard().frequency()).as("dominant frequency the browser hears from our Java peer")
                    .isCloseTo(TONE_HZ, org.assertj.core.data.Percentage.withPercentage(10));
            // data from the browser to Java, and our peer's answer back
            assertThat(peer.received()).contains(new JavaEchoPeer.Received(BROWSER, "chat", "hello from browser"));
            assertThat(report.dataReceived()).contains(new BrowserReport.Data(PEER, "chat", "echo: hello from browser"));
            assertThat(report.echoesSent()).contains("echo: hello from java");
        }
    }

    private ParticipantInfo participant(String identity) {
        return server.participants(ROOM).orElse(java.util.List.of()).stream().filter(p -> p.getIdentity().equals(identity)).findFirst().orElse(null);
    }
}
