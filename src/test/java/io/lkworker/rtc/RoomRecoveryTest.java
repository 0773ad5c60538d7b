package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.Pitch;
import io.lkworker.testing.FreezableProxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our room client survives the network: its signalling runs through a TCP proxy on loopback that cuts
 * (resets) or refuses connections, while media goes directly, and the room recovers as LiveKit's
 * clients do — resume when the server can resume, a full reconnect when it cannot — or disconnects
 * with the reason once its reconnect timeout has passed. Audio is checked at the other participant.
 */
@Tag("rtc")
class RoomRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private LocalLiveKitServer server;
    private FreezableProxy proxy;
    private final List<RtcRoom> rooms = new ArrayList<>();
    private final List<Thread> speakers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        proxy = new FreezableProxy(new InetSocketAddress("127.0.0.1", server.port()));
    }

    @AfterEach
    void stop() throws Exception {
        speakers.forEach(Thread::interrupt);
        rooms.forEach(RtcRoom::disconnect);
        proxy.close();
        server.close();
    }

    private RtcRoom join(String room, String identity, boolean throughProxy, ConnectOptions options) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        String url = throughProxy ? "ws://127.0.0.1:" + proxy.port() : server.url();
        RtcRoom r = RtcRoom.connect(url, token, options);
        rooms.add(r);
        return r;
    }

    /** Records the room's connection events, in order. */
    private static List<String> recordEvents(RtcRoom room) {
        List<String> seen = new CopyOnWriteArrayList<>();
        room.addListener(new RoomListener() {
            @Override
            public void onReconnecting() {
                seen.add("reconnecting");
            }

            @Override
            public void onReconnected() {
                seen.add("reconnected");
            }

            @Override
            public void onDisconnected(String reason) {
                seen.add("disconnected " + reason);
            }
        });
        return seen;
    }

    @Test
    void aCutSignallingConnectionIsRecoveredAndTheToneKeepsComingThrough() throws Exception {
        RtcRoom agent = join("cut", "agent", true, ConnectOptions.defaults());
        List<String> events = recordEvents(agent);
        AudioSource source = new AudioSource(48000, 1);
        LocalTrackPublication published = agent.localParticipant().publishTrack(LocalAudioTrack.create("tone", source));
        speakers.add(RoomRoundTripTest.speak(source, 440));

        RtcRoom caller = join("cut", "caller", false, ConnectOptions.defaults());
        AtomicReference<RemoteAudioTrack> latest = listenForAgent(caller);
        await().atMost(WAIT).until(() -> latest.get() != null);
        assertTone(latest.get());
        String sidBefore = agent.localParticipant().sid();

        assertThat(proxy.cutAll()).isGreaterThan(0);
        await().atMost(WAIT).until(() -> events.contains("reconnected"));
        assertThat(events).startsWith("reconnecting").doesNotContain("disconnected SIGNAL_CLOSE");
        assertThat(agent.connectionState()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(published.sid()).startsWith("TR_");
        // Resumed (same session) or rejoined (a new one): either way the caller hears the tone again.
        await().atMost(WAIT).until(() -> latest.get() != null && !((RemoteAudioTrackImpl) latest.get()).isEnded());
        assertTone(latest.get());
        if (agent.localParticipant().sid().equals(sidBefore)) {
            assertThat(latest.get().sid()).isEqualTo(published.sid()); // a resume keeps everything
        }

        // Data sent after the recovery arrives.
        List<String> got = new CopyOnWriteArrayList<>();
        caller.addListener(new RoomListener() {
            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                got.add(new String(data, StandardCharsets.UTF_8));
            }
        });
        agent.localParticipant().publishData("after".getBytes(StandardCharsets.UTF_8), DataOptions.defaults());
        await().atMost(WAIT).until(() -> got.contains("after"));
    }

    @Test
    void aServerThatStaysAwayEndsTheRoomOnceTheReconnectTimeoutHasPassed() {
        RtcRoom agent = join("gone", "agent", true, ConnectOptions.defaults().withReconnectTimeout(Duration.ofSeconds(3)));
        List<String> events = recordEvents(agent);
        AudioSource voice = new AudioSource(48000, 1);
        agent.localParticipant().publishTrack(LocalAudioTrack.create("voice", voice));
        CompletableFuture<Throwable> captureEnded = new CompletableFuture<>();
        Thread capturing = new Thread(() -> {
            io.lkworker.talk.ToneGenerator tone = new io.lkworker.talk.ToneGenerator(440, 48000, 1, 0.3);
            try {
                while (true) {
                    voice.captureFrame(tone.next()); // blocks on back-pressure while the track is sent
                }
            } catch (Throwable t) {
                captureEnded.complete(t);
            }
        }, "capturing");
        capturing.setDaemon(true);
        capturing.start();
        proxy.refuseNew(true);
        long cut = System.nanoTime();
        proxy.cutAll();
        await().atMost(WAIT).until(() -> agent.connectionState() == ConnectionState.DISCONNECTED);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        await().atMost(WAIT).until(() -> events.size() == 2);
        assertThat(events).containsExactly("reconnecting", "disconnected SIGNAL_CLOSE");
        assertThat(agent.disconnected()).isCompletedWithValue("SIGNAL_CLOSE");
        // A capture blocked on the track's back-pressure does not wait for ever once the room is gone.
        assertThat(captureEnded).succeedsWithin(Duration.ofSeconds(5))
                .satisfies(t -> assertThat(t).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("room disconnected (SIGNAL_CLOSE)"));
        assertThat(tookMs).as("gave up within the budget and one attempt's bounds").isLessThan(15_000);
    }

    @Test
    void withRecoveryOffTheFirstLossEndsTheRoom() {
        RtcRoom agent = join("off", "agent", true, ConnectOptions.defaults().withReconnectTimeout(Duration.ZERO));
        List<String> events = recordEvents(agent);
        proxy.cutAll();
        await().atMost(WAIT).until(() -> !events.isEmpty());
        assertThat(events).containsExactly("disconnected SIGNAL_CLOSE");
        assertThat(agent.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    }

    /** The caller's view of the agent's audio track: the latest one subscribed (a rejoin brings a new one). */
    private static AtomicReference<RemoteAudioTrack> listenForAgent(RtcRoom caller) {
        AtomicReference<RemoteAudioTrack> latest = new AtomicReference<>();
        caller.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
                if (p.identity().equals("agent")) {
                    latest.set((RemoteAudioTrack) track);
                }
            }
        });
        return latest;
    }

    private static void assertTone(RemoteAudioTrack track) throws InterruptedException {
        List<short[]> frames = new ArrayList<>();
        try (AudioStream stream = AudioStream.of(track, 16000, 1)) {
            // Skip the first half second (the start of a stream, or of the stream after a recovery).
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                AudioFrame f = stream.poll(Duration.ofSeconds(5));
                if (f == null) {
                    break;
                }
                frames.add(f.data());
            }
        }
        assertThat(frames.size()).as("frames heard").isGreaterThan(100);
        short[] last = new short[50 * 160];
        int n = frames.size();
        for (int i = 0; i < 50; i++) {
            System.arraycopy(frames.get(n - 50 + i), 0, last, i * 160, 160);
        }
        assertThat(Pitch.rms(last)).isGreaterThan(1000);
        assertThat(Pitch.dominantFrequency(last, 16000)).isBetween(396.0, 484.0);
    }
}
