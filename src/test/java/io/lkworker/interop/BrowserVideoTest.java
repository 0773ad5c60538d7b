package io.lkworker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RemoteVideoTrack;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoSource;
import io.lkworker.api.rtc.VideoStream;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.MovingBar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video between LiveKit's own JavaScript client in headless Chromium and one of our Java room clients,
 * through the embedded server: Chromium's fake camera (320×240, one VP8 layer) reaches the Java side at
 * that size, changing over time; the Java side's moving bar reaches the page, which counts decoded
 * frames ({@code requestVideoFrameCallback}, {@code framesDecoded}) and sees the bar move.
 * Skipped, with the reason, without {@code npm ci} in {@code src/test/js} or without Chromium.
 */
@Tag("interop")
class BrowserVideoTest {

    private static final String ROOM = "interop-video";
    private static final String BROWSER = "browser";
    private static final String PEER = "java-video";
    private static final int W = 320;
    private static final int H = 240;

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

    @Test
    void chromiumsCameraReachesJavaAndJavasPictureReachesChromium() throws Exception {
        Path wav = ToneWav.write(dir.resolve("tone.wav"), 440, 48000, 2, 0.2);
        Room java = RtcRoom.connect(server.url(), token(PEER), ConnectOptions.defaults());
        CompletableFuture<RemoteVideoTrack> camera = new CompletableFuture<>();
        CompletableFuture<RemoteTrackPublication> cameraPublication = new CompletableFuture<>();
        java.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
                if (track instanceof RemoteVideoTrack v && p.identity().equals(BROWSER)) {
                    cameraPublication.complete(publication);
                    camera.complete(v);
                }
            }
        });
        VideoSource source = new VideoSource(W, H);
        java.localParticipant().publishTrack(LocalVideoTrack.create("bar", source));
        Thread player = MovingBar.play(source, 15, new AtomicLong());
        try (BrowserParticipant browser = BrowserParticipant.launch(new BrowserParticipant.Options(
                server.url(), token(BROWSER), PEER, wav, Duration.ofSeconds(30))
                .withPage("video", Map.of("width", String.valueOf(W), "height", String.valueOf(H), "minFrames", "30")))) {

            browser.awaitEvent("published", Duration.ofSeconds(60));
            RemoteVideoTrack fromBrowser = camera.get(60, TimeUnit.SECONDS);
            assertThat(cameraPublication.get().source()).isEqualTo(TrackSource.CAMERA);
            // frames of the published resolution, that change over time (the fake camera animates)
            Set<Integer> pictures = new HashSet<>();
            int frames = 0;
            try (VideoStream stream = VideoStream.of(fromBrowser)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((frames < 20 || pictures.size() < 3) && System.nanoTime() < deadline) {
                    VideoFrame f = stream.poll(Duration.ofSeconds(10));
                    assertThat(f).as("a frame from the browser within 10 s").isNotNull();
                    assertThat(f.width()).isEqualTo(W);
                    assertThat(f.height()).isEqualTo(H);
                    pictures.add(Arrays.hashCode(f.y()));
                    frames++;
                }
            }
            assertThat(frames).isGreaterThanOrEqualTo(20);
            assertThat(pictures).as("different pictures from the browser's camera").hasSizeGreaterThanOrEqualTo(3);

            JsonObject report = browser.awaitJsonReport(Duration.ofSeconds(120));
            assertThat(report.get("error").isJsonNull()).as("the page's failure: " + report.get("error")).isTrue();
            JsonObject published = report.getAsJsonObject("published");
            assertThat(published.get("width").getAsInt()).isEqualTo(W);
            assertThat(published.get("height").getAsInt()).isEqualTo(H);
            JsonObject received = report.getAsJsonObject("received");
            assertThat(received.get("frames").getAsInt()).isGreaterThanOrEqualTo(30);
            assertThat(received.get("framesDecoded").getAsInt()).isGreaterThanOrEqualTo(30);
            assertThat(received.get("width").getAsInt()).isEqualTo(W);
            assertThat(received.get("height").getAsInt()).isEqualTo(H);
            assertThat(received.getAsJsonArray("barPositions").size()).as("the bar moves in the page").isGreaterThanOrEqualTo(3);
            JsonObject peerTrack = report.getAsJsonObject("peerTrack");
            assertThat(peerTrack.get("width").getAsInt()).isEqualTo(W);
        } finally {
            player.interrupt();
            java.disconnect();
        }
    }
}
