package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.UserPacket;
import livekit.LivekitRtc.SignalResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resume with real peer connections: reliable data replayed after a resume is not forwarded twice
 * (livekit/livekit pkg/rtc/participant.go handleReceivedDataMessage), the ReconnectResponse reports the
 * last sequence, the ICE-restart offer reconnects the subscriber connection, and a client whose
 * signalling and media both vanish (a crash) is removed at once, not after the ping timeout.
 */
@Tag("rtc")
class RoomMediaResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private LocalLiveKitServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        // The default 15 s ping timeout: removals sooner than that come from the media rule.
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        server.close();
    }

    private WebRtcSignalClient join(String room, String identity) throws Exception {
        RawSignalClient signal = RawSignalClient.join(server.port(), room, identity);
        open.add(signal);
        WebRtcSignalClient c = new WebRtcSignalClient(signal, identity);
        open.add(c);
        await().atMost(WAIT).until(() -> c.connected() && c.dataOpen());
        return c;
    }

    private static DataPacket packet(int sequence, String text) {
        return DataPacket.newBuilder().setKind(DataPacket.Kind.RELIABLE).setSequence(sequence)
                .setUser(UserPacket.newBuilder().setPayload(ByteString.copyFromUtf8(text)).setTopic("t")).build();
    }

    private static List<String> texts(WebRtcSignalClient c) {
        return c.received.stream().map(p -> p.getUser().getPayload().toStringUtf8()).toList();
    }

    private List<String> identities(String room) {
        return server.participants(room).orElse(List.of()).stream().map(ParticipantInfo::getIdentity).toList();
    }

    @Test
    void replayedReliableDataIsDroppedAndTheResumeReportsTheLastSequence() throws Exception {
        WebRtcSignalClient alice = join("data", "alice");
        WebRtcSignalClient bob = join("data", "bob");
        String sid = server.signallingState("data", "alice").orElseThrow().sid();

        for (int seq : new int[] {1, 2, 3}) {
            assertThat(alice.sendData(packet(seq, "m" + seq))).isTrue();
        }
        await().atMost(WAIT).until(() -> texts(bob).size() == 3);
        // A replay of 2 and 3 (what a client resends after a resume) and one new packet.
        alice.sendData(packet(2, "m2 again"));
        alice.sendData(packet(3, "m3 again"));
        alice.sendData(packet(4, "m4"));
        await().atMost(WAIT).until(() -> texts(bob).contains("m4"));
        assertThat(texts(bob)).containsExactly("m1", "m2", "m3", "m4");
        assertThat(bob.received).allSatisfy(p -> assertThat(p.getParticipantIdentity()).isEqualTo("alice"));

        // After a dropped socket, the resume reports 4, and its ICE-restart offer is answered: the
        // subscriber connection (and the data channel on it) carries on.
        assertThat(server.dropSignalling("data", "alice")).isTrue();
        await().atMost(WAIT).until(() -> !server.signallingState("data", "alice").orElseThrow().connected());
        RawSignalClient resumed = RawSignalClient.resume(server.port(), "data", "alice", sid);
        open.add(resumed);
        alice.useSignalling(resumed);
        SignalResponse reconnect = resumed.next(SignalResponse::hasReconnect, WAIT);
        assertThat(reconnect.getReconnect().getLastMessageSeq()).isEqualTo(4);
        await().atMost(WAIT).until(() -> resumed.received.stream().filter(SignalResponse::hasOffer).count() == 1
                && alice.connected());
        alice.sendData(packet(4, "m4 again"));
        alice.sendData(packet(5, "m5"));
        await().atMost(WAIT).until(() -> texts(bob).contains("m5"));
        assertThat(texts(bob)).containsExactly("m1", "m2", "m3", "m4", "m5");
        assertThat(server.participants("data").orElseThrow()).anySatisfy(p -> assertThat(p.getSid()).isEqualTo(sid));
    }

    @Test
    void aClientWhoseSignallingAndMediaVanishIsRemovedWithinSeconds() throws Exception {
        WebRtcSignalClient crashing = join("crash", "crashing");
        join("crash", "witness");
        long start = System.nanoTime();

        // A crashed process: its TCP connection resets and its peer connection goes away, no leave.
        open.stream().filter(c -> c instanceof RawSignalClient).map(c -> (RawSignalClient) c).findFirst()
                .orElseThrow().cut();
        crashing.closePeer();

        await().atMost(WAIT).until(() -> !identities("crash").contains("crashing"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
        assertThat(identities("crash")).containsExactly("witness");
    }
}
