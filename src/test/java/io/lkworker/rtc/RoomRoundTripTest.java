package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.Pitch;
import io.lkworker.talk.ToneGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two of our room clients in a room on the embedded server, over real WebRTC on loopback: audio one
 * way (a 440 Hz tone, checked by its dominant frequency at the listener), data both ways, participant
 * events, metadata, and refusals.
 */
@Tag("rtc")
class RoomRoundTripTest {

    private LocalLiveKitServer server;
    private final List<RtcRoom> rooms = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        rooms.forEach(RtcRoom::disconnect);
        server.close();
    }

    private RtcRoom join(String room, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity + " name", System.currentTimeMillis(), Duration.ofMinutes(10));
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        rooms.add(r);
        return r;
    }

    @Test
    void aToneCrossesTheRoomAndDataGoesBothWays() throws Exception {
        RtcRoom alice = join("round-trip", "alice");
        CompletableFuture<RemoteAudioTrack> bobHears = new CompletableFuture<>();
        List<String> bobData = new CopyOnWriteArrayList<>();
        RtcRoom bob = join("round-trip", "bob");
        bob.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
                if (p.identity().equals("alice")) {
                    bobHears.complete((RemoteAudioTrack) track);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                bobData.add(from.identity() + "/" + topic + "/" + new String(data, StandardCharsets.UTF_8));
            }
        });
        assertThat(alice.connectionState()).isEqualTo(ConnectionState.CONNECTED);
        await().atMost(5, TimeUnit.SECONDS).until(() -> alice.remoteParticipants().containsKey("bob"));
        RemoteParticipant bobSeenByAlice = alice.remoteParticipants().get("bob");
        assertThat(bobSeenByAlice.name()).isEqualTo("bob name");
        assertThat(bobSeenByAlice.kind()).isEqualTo(ParticipantKind.STANDARD);

        AudioSource source = new AudioSource(48000, 1);
        LocalTrackPublication published = alice.localParticipant().publishTrack(LocalAudioTrack.create("tone", source));
        assertThat(published.sid()).startsWith("TR_");
        Thread speaker = speak(source, 440);
        try {
            RemoteAudioTrack heard = bobHears.get(10, TimeUnit.SECONDS);
            assertThat(heard.sid()).isEqualTo(published.sid());
            short[] audio = listen(heard, Duration.ofMillis(1500));
            short[] last = java.util.Arrays.copyOfRange(audio, audio.length - 8000, audio.length);
            assertThat(Pitch.rms(last)).isGreaterThan(1000);
            assertThat(Pitch.dominantFrequency(last, 16000)).isBetween(396.0, 484.0);
        } finally {
            speaker.interrupt();
        }

        alice.localParticipant().publishData("hello".getBytes(StandardCharsets.UTF_8), DataOptions.defaults().withTopic("chat"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> bobData.contains("alice/chat/hello"));

        List<String> aliceData = new CopyOnWriteArrayList<>();
        alice.addListener(new RoomListener() {
            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                aliceData.add(from.identity() + "/" + new String(data, StandardCharsets.UTF_8));
            }
        });
        bob.localParticipant().publishData("lossy".getBytes(StandardCharsets.UTF_8), DataOptions.lossy());
        await().atMost(5, TimeUnit.SECONDS).until(() -> aliceData.contains("bob/lossy"));
    }

    @Test
    void participantsComeAndGoAndMetadataSpreads() throws Exception {
        RtcRoom alice = join("events", "alice");
        List<String> events = new CopyOnWriteArrayList<>();
        alice.addListener(new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant p) {
                events.add("connected " + p.identity());
            }

            @Override
            public void onParticipantDisconnected(RemoteParticipant p) {
                events.add("disconnected " + p.identity());
            }

            @Override
            public void onParticipantMetadataChanged(io.lkworker.api.rtc.Participant p, String old) {
                events.add("metadata " + p.identity() + " " + p.metadata());
            }

            @Override
            public void onParticipantAttributesChanged(Map<String, String> changed, io.lkworker.api.rtc.Participant p) {
                events.add("attributes " + p.identity() + " " + changed);
            }
        });
        RtcRoom bob = join("events", "bob");
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("connected bob"));
        bob.localParticipant().setMetadata("{\"mood\":\"fine\"}");
        assertThat(bob.localParticipant().metadata()).isEqualTo("{\"mood\":\"fine\"}");
        bob.localParticipant().setAttributes(Map.of("lang", "en"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("metadata bob {\"mood\":\"fine\"}")
                && events.contains("attributes bob {lang=en}"));
        bob.disconnect();
        assertThat(bob.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("disconnected bob"));
        assertThat(alice.remoteParticipants()).doesNotContainKey("bob");
        assertThatThrownBy(() -> bob.localParticipant().publishData(new byte[1], DataOptions.defaults()))
                .isInstanceOf(RoomException.class).hasMessageContaining("disconnected");
    }

    @Test
    void aTokenFromAnotherServerIsRefusedWithTheServersReason() {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, "not-the-secret", "r", "eve", "",
                System.currentTimeMillis(), Duration.ofMinutes(1));
        assertThatThrownBy(() -> RtcRoom.connect(server.url(), token, ConnectOptions.defaults()))
                .isInstanceOf(RoomException.class)
                .hasMessageContaining("refused")
                .hasMessageContaining("401");
    }

    @Test
    void aMuteByTheServerReachesOurOwnPublication() throws Exception {
        RtcRoom alice = join("muted", "alice");
        List<String> events = new CopyOnWriteArrayList<>();
        alice.addListener(new RoomListener() {
            @Override
            public void onTrackMuted(io.lkworker.api.rtc.TrackPublication publication, io.lkworker.api.rtc.Participant p) {
                events.add("muted " + publication.sid() + " of " + p.identity());
            }

            @Override
            public void onTrackUnmuted(io.lkworker.api.rtc.TrackPublication publication, io.lkworker.api.rtc.Participant p) {
                events.add("unmuted " + publication.sid() + " of " + p.identity());
            }
        });
        LocalTrackPublication published = alice.localParticipant().publishTrack(
                LocalAudioTrack.create("voice", new AudioSource(48000, 1)));
        assertThat(published.isMuted()).isFalse();
        await().atMost(5, TimeUnit.SECONDS).until(() -> server.participants("muted").orElseThrow().stream()
                .anyMatch(p -> p.getTracksCount() == 1));

        assertThat(server.mutePublishedTrack("muted", "alice", published.sid(), true)).isPresent();
        await().atMost(5, TimeUnit.SECONDS).until(published::isMuted);
        await().atMost(5, TimeUnit.SECONDS).until(() -> events.contains("muted " + published.sid() + " of alice"));
        server.mutePublishedTrack("muted", "alice", published.sid(), false);
        await().atMost(5, TimeUnit.SECONDS).until(() -> !published.isMuted()
                && events.contains("unmuted " + published.sid() + " of alice"));
    }

    /** Feeds a tone into {@code source} on a thread of its own, paced by the source's back-pressure. */
    static Thread speak(AudioSource source, double frequency) {
        ToneGenerator tone = new ToneGenerator(frequency, source.sampleRate(), source.channels(), 0.3);
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    source.captureFrame(tone.next());
                }
            } catch (InterruptedException | IllegalStateException e) {
                // done
            }
        }, "tone");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {@code duration} of the track's audio at 16 kHz mono. */
    static short[] listen(RemoteAudioTrack track, Duration duration) throws InterruptedException {
        List<short[]> frames = new ArrayList<>();
        int wanted = (int) (duration.toMillis() / 10);
        try (AudioStream stream = AudioStream.of(track, 16000, 1)) {
            while (frames.size() < wanted) {
                AudioFrame f = stream.poll(Duration.ofSeconds(5));
                if (f == null) {
                    break;
                }
                frames.add(f.data());
            }
        }
        short[] all = new short[frames.size() * 160];
        for (int i = 0; i < frames.size(); i++) {
            System.arraycopy(frames.get(i), 0, all, i * 160, 160);
        }
        return all;
    }
}
