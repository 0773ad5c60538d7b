package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import livekit.LivekitModels.ClientConfigSetting;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc.LeaveRequest;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Resume on the embedded server at the wire level (livekit/livekit pkg/rtc/room.go ResumeParticipant):
 * a participant whose signalling drops stays in the room and gets its session back on a
 * {@code reconnect=1} connection, with the real server's message sequence; an unknown one is told to
 * join afresh; the fault-drill hooks do what they say.
 */
@Tag("rtc")
class RoomResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");

    private LocalLiveKitServer server;
    private final List<RawSignalClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawSignalClient::close);
        if (server != null) {
            server.close();
        }
    }

    private void start(ServerConfig.Builder config) throws Exception {
        server = LocalLiveKitServer.create(config.build()).start();
    }

    private RawSignalClient join(String room, String identity) throws Exception {
        RawSignalClient c = RawSignalClient.join(server.port(), room, identity);
        clients.add(c);
        assertThat(c.upgrade().status()).isEqualTo(101);
        return c;
    }

    private RawSignalClient resume(String room, String identity, String sid) throws Exception {
        RawSignalClient c = RawSignalClient.resume(server.port(), room, identity, sid);
        clients.add(c);
        assertThat(c.upgrade().status()).isEqualTo(101);
        return c;
    }

    private static String ufrag(String sdp) {
        Matcher m = UFRAG.matcher(sdp);
        assertThat(m.find()).as("ice-ufrag in %s", sdp).isTrue();
        return m.group(1);
    }

    private List<String> identities(String room) {
        return server.participants(room).orElse(List.of()).stream().map(ParticipantInfo::getIdentity).toList();
    }

    @Test
    void aParticipantWhoseSocketDroppedResumesWithTheRealServersSequence() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient alice = join("resume", "alice");
        SignalResponse joined = alice.next(SignalResponse::hasJoin, WAIT);
        assertThat(joined).isNotNull();
        assertThat(joined.getJoin().getClientConfiguration().getResumeConnection())
                .isNotEqualTo(ClientConfigSetting.DISABLED);
        String sid = joined.getJoin().getParticipant().getSid();
        SignalResponse firstOffer = alice.next(SignalResponse::hasOffer, WAIT);
        assertThat(firstOffer).isNotNull();
        RawSignalClient bob = join("resume", "bob");
        assertThat(bob.next(SignalResponse::hasJoin, WAIT)).isNotNull();

        alice.cut();
        await().atMost(WAIT).until(() -> server.signallingState("resume", "alice").map(s -> !s.connected()).orElse(false));
        // Bob leaves while Alice is away.
        bob.send(SignalRequest.newBuilder().setLeave(LeaveRequest.newBuilder()
                .setReason(DisconnectReason.CLIENT_INITIATED).setAction(LeaveRequest.Action.DISCONNECT)).build());
        await().atMost(WAIT).until(() -> identities("resume").equals(List.of("alice")));

        RawSignalClient back = resume("resume", "alice", sid);
        SignalResponse reconnect = back.next(WAIT);
        assertThat(reconnect).isNotNull();
        assertThat(reconnect.getMessageCase()).isEqualTo(SignalResponse.MessageCase.RECONNECT);
        assertThat(reconnect.getReconnect().getServerInfo().getVersion()).isNotEmpty();
        assertThat(reconnect.getReconnect().getClientConfiguration().getResumeConnection())
                .isNotEqualTo(ClientConfigSetting.DISABLED);
        assertThat(reconnect.getReconnect().getLastMessageSeq()).isZero();

        SignalResponse departed = back.next(WAIT);
        assertThat(departed.hasUpdate()).isTrue();
        assertThat(departed.getUpdate().getParticipantsList()).singleElement().satisfies(p -> {
            assertThat(p.getIdentity()).isEqualTo("bob");
            assertThat(p.getState()).isEqualTo(ParticipantInfo.State.DISCONNECTED);
        });
        SignalResponse everyone = back.next(WAIT);
        assertThat(everyone.hasUpdate()).isTrue();
        assertThat(everyone.getUpdate().getParticipantsList()).extracting(ParticipantInfo::getIdentity)
                .containsExactly("alice");
        assertThat(everyone.getUpdate().getParticipants(0).getSid()).isEqualTo(sid);
        SignalResponse roomUpdate = back.next(WAIT);
        assertThat(roomUpdate.hasRoomUpdate()).isTrue();
        assertThat(roomUpdate.getRoomUpdate().getRoom().getName()).isEqualTo("resume");
        SignalResponse offer = back.next(r -> r.hasOffer(), WAIT);
        assertThat(offer).as("an ICE-restart subscriber offer").isNotNull();
        assertThat(ufrag(offer.getOffer().getSdp())).isNotEqualTo(ufrag(firstOffer.getOffer().getSdp()));
        assertThat(offer.getOffer().getId()).isGreaterThan(firstOffer.getOffer().getId());

        assertThat(server.participants("resume").orElseThrow()).singleElement()
                .satisfies(p -> assertThat(p.getSid()).isEqualTo(sid));
        SignallingState state = server.signallingState("resume", "alice").orElseThrow();
        assertThat(state.connected()).isTrue();
        assertThat(state.resumes()).isEqualTo(1);
        assertThat(state.connections()).isEqualTo(2);

        // The resumed connection serves requests, and SyncState is accepted.
        back.send(SignalRequest.newBuilder().setSyncState(livekit.LivekitRtc.SyncState.newBuilder()).build());
        back.send(SignalRequest.newBuilder().setPingReq(livekit.LivekitRtc.Ping.newBuilder().setTimestamp(42)).build());
        assertThat(back.next(r -> r.hasPongResp(), WAIT).getPongResp().getLastPingTimestamp()).isEqualTo(42);
    }

    @Test
    void aResumeOfSomeoneNotInTheRoomIsToldToJoinAgain() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient alice = join("stranger", "alice");
        assertThat(alice.next(SignalResponse::hasJoin, WAIT)).isNotNull();

        RawSignalClient ghost = resume("stranger", "ghost", "PA_nope");
        SignalResponse first = ghost.next(WAIT);
        assertThat(first).isNotNull();
        assertThat(first.hasLeave()).isTrue();
        assertThat(first.getLeave().getReason()).isEqualTo(DisconnectReason.STATE_MISMATCH);
        assertThat(first.getLeave().getAction()).isEqualTo(LeaveRequest.Action.RECONNECT);
        await().atMost(WAIT).until(ghost::ended);
        assertThat(ghost.received).hasSize(1);

        // No room at all: the same answer.
        RawSignalClient nowhere = resume("no-such-room", "alice", "PA_x");
        SignalResponse leave = nowhere.next(WAIT);
        assertThat(leave.getLeave().getAction()).isEqualTo(LeaveRequest.Action.RECONNECT);
        assertThat(server.openRooms()).extracting(r -> r.getName()).containsExactly("stranger");
    }

    @Test
    void aParticipantThatDoesNotResumeIsRemovedAfterThePingTimeout() throws Exception {
        start(ServerConfig.builder().ping(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        RawSignalClient alice = join("gone", "alice");
        assertThat(alice.next(SignalResponse::hasJoin, WAIT)).isNotNull();
        RawSignalClient bob = join("gone", "bob");
        assertThat(bob.next(SignalResponse::hasJoin, WAIT)).isNotNull();
        long cutAt = System.nanoTime();

        alice.cut();
        // Kept for a resume at first ...
        await().atMost(WAIT).until(() -> server.signallingState("gone", "alice").map(s -> !s.connected()).orElse(false));
        assertThat(identities("gone")).contains("alice");
        // ... then gone, and Bob is told.
        SignalResponse left = bob.next(r -> r.hasUpdate() && r.getUpdate().getParticipantsList().stream()
                .anyMatch(p -> p.getIdentity().equals("alice") && p.getState() == ParticipantInfo.State.DISCONNECTED), WAIT);
        assertThat(left).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - cutAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(identities("gone")).containsExactly("bob");
    }

    @Test
    void dropSignallingCutsTheConnectionAndTheParticipantResumes() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient alice = join("drop", "alice");
        String sid = alice.next(SignalResponse::hasJoin, WAIT).getJoin().getParticipant().getSid();

        assertThat(server.dropSignalling("drop", "alice")).isTrue();

        await().atMost(WAIT).until(alice::ended);
        assertThat(alice.received).noneMatch(SignalResponse::hasLeave);
        assertThat(identities("drop")).containsExactly("alice");
        RawSignalClient back = resume("drop", "alice", sid);
        assertThat(back.next(WAIT).hasReconnect()).isTrue();
        assertThat(server.signallingState("drop", "alice").orElseThrow().resumes()).isEqualTo(1);
    }

    @Test
    void sendLeaveResumeClosesTheSignallingAndKeepsTheParticipant() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient alice = join("leave", "alice");
        String sid = alice.next(SignalResponse::hasJoin, WAIT).getJoin().getParticipant().getSid();

        assertThat(server.sendLeave("leave", "alice", LeaveRequest.Action.RESUME)).isTrue();

        SignalResponse leave = alice.next(SignalResponse::hasLeave, WAIT);
        assertThat(leave.getLeave().getAction()).isEqualTo(LeaveRequest.Action.RESUME);
        await().atMost(WAIT).until(alice::ended);
        assertThat(identities("leave")).containsExactly("alice");
        RawSignalClient back = resume("leave", "alice", sid);
        assertThat(back.next(WAIT).hasReconnect()).isTrue();
        assertThat(server.participants("leave").orElseThrow().get(0).getSid()).isEqualTo(sid);
    }

    @Test
    void sendLeaveReconnectRemovesTheParticipantSoItRejoins() throws Exception {
        start(ServerConfig.builder());
        RawSignalClient alice = join("rejoin", "alice");
        String sid = alice.next(SignalResponse::hasJoin, WAIT).getJoin().getParticipant().getSid();
        RawSignalClient bob = join("rejoin", "bob");
        assertThat(bob.next(SignalResponse::hasJoin, WAIT)).isNotNull();

        assertThat(server.sendLeave("rejoin", "alice", LeaveRequest.Action.RECONNECT)).isTrue();

        SignalResponse leave = alice.next(SignalResponse::hasLeave, WAIT);
        assertThat(leave.getLeave().getAction()).isEqualTo(LeaveRequest.Action.RECONNECT);
        await().atMost(WAIT).until(alice::ended);
        assertThat(identities("rejoin")).containsExactly("bob");
        // A resume now fails; a fresh join gets a new sid.
        RawSignalClient resumeAttempt = resume("rejoin", "alice", sid);
        assertThat(resumeAttempt.next(WAIT).getLeave().getAction()).isEqualTo(LeaveRequest.Action.RECONNECT);
        RawSignalClient again = join("rejoin", "alice");
        assertThat(again.next(SignalResponse::hasJoin, WAIT).getJoin().getParticipant().getSid()).isNotEqualTo(sid);

        assertThat(server.sendLeave("rejoin", "bob", LeaveRequest.Action.DISCONNECT)).isTrue();
        assertThat(bob.next(SignalResponse::hasLeave, WAIT).getLeave().getAction())
                .isEqualTo(LeaveRequest.Action.DISCONNECT);
        await().atMost(WAIT).until(() -> identities("rejoin").equals(List.of("alice")));
    }

    @Test
    void pauseHoldsSignallingAndNewConnectionsUntilResume() throws Exception {
        start(ServerConfig.builder().ping(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        RawSignalClient alice = join("paused", "alice");
        assertThat(alice.next(SignalResponse::hasJoin, WAIT)).isNotNull();
        alice.drain();

        server.pause();
        alice.send(SignalRequest.newBuilder().setPingReq(livekit.LivekitRtc.Ping.newBuilder().setTimestamp(7)).build());
        java.util.concurrent.CompletableFuture<RawSignalClient> bob = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return RawSignalClient.join(server.port(), "paused", "bob");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // Longer than the ping timeout: a paused server holds everyone and drops no one.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> alice.received.stream().noneMatch(SignalResponse::hasPongResp) && !bob.isDone());
        assertThat(identities("paused")).containsExactly("alice");

        server.resume();
        assertThat(alice.next(SignalResponse::hasPongResp, WAIT).getPongResp().getLastPingTimestamp()).isEqualTo(7);
        RawSignalClient b = bob.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        clients.add(b);
        assertThat(b.upgrade().status()).isEqualTo(101);
        assertThat(b.next(SignalResponse::hasJoin, WAIT)).isNotNull();
        assertThat(alice.ended()).isFalse();
    }
}
