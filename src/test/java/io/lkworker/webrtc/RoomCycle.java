package io.lkworker.webrtc;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.ToneGenerator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One room's life on the embedded server, as an agent job lives it: two of our clients join, one
 * publishes a tone, the other subscribes and hears it, data crosses, both leave, the room is deleted.
 * Shared by {@link RoomTeardownReachabilityTest} and the soak benchmark.
 */
public final class RoomCycle {

    /** Each awaited step (subscription, first frame, data) takes well under a second on loopback. */
    public static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    /** 300 ms of tone queued up front: more than the first decoded frame needs, and no feeding thread. */
    private static final int TONE_FRAMES = 30;

    private RoomCycle() {
    }

    /** Runs one cycle in room {@code room} of an in-process server; returns when the server has dropped the room. */
    public static void run(LocalLiveKitServer server, String room) throws Exception {
        run(server.url(), room, server::deleteRoom);
    }

    /**
     * Runs one cycle in room {@code room} of the server at {@code url} (its default API key); then
     * {@code closeRoom} (a server of another process closes it itself once both left, with a departure
     * timeout of zero).
     */
    public static void run(String url, String room, Consumer<String> closeRoom) throws Exception {
        RtcRoom alice = join(url, room, "alice");
        RtcRoom bob = null;
        try {
            CompletableFuture<RemoteAudioTrack> heard = new CompletableFuture<>();
            CompletableFuture<String> data = new CompletableFuture<>();
            bob = join(url, room, "bob");
            bob.addListener(new RoomListener() {
                @Override
                public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
                    heard.complete((RemoteAudioTrack) track);
                }

                @Override
                public void onDataReceived(byte[] bytes, RemoteParticipant from, String topic) {
                    data.complete(topic);
                }
            });
            AudioSource source = new AudioSource(48000, 1);
            ToneGenerator tone = new ToneGenerator(440, 48000, 1, 0.3);
            for (int i = 0; i < TONE_FRAMES; i++) {
                source.captureFrame(tone.next());
            }
            alice.localParticipant().publishTrack(LocalAudioTrack.create("tone", source));
            try (AudioStream stream = AudioStream.of(get(heard, "bob's subscription"), 48000, 1)) {
                AudioFrame first = stream.poll(STEP_TIMEOUT);
                if (first == null) {
                    throw new IllegalStateException(room + ": no audio reached bob in " + STEP_TIMEOUT.toSeconds() + " s");
                }
            }
            alice.localParticipant().publishData(new byte[] {1}, DataOptions.defaults().withTopic("soak"));
            get(data, "alice's data message");
        } finally {
            alice.disconnect();
            if (bob != null) {
                bob.disconnect();
            }
            closeRoom.accept(room);
        }
    }

    private static RtcRoom join(String url, String room, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        return RtcRoom.connect(url, token, ConnectOptions.defaults());
    }

    private static <T> T get(CompletableFuture<T> f, String what) throws InterruptedException, ExecutionException {
        try {
            return f.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no " + what + " in " + STEP_TIMEOUT.toSeconds() + " s");
        }
    }
}
