package io.lkworker.localserver.room;

import io.lkworker.localserver.ServerConfig;
import java.util.Collection;
import java.util.List;
import livekit.LivekitModels;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalResponse;

/**
 * The first messages a participant gets from its room: the JoinResponse of a join, and what a resume
 * sends before the subscriber's ICE restart.
 *
 * <p>Threads: called by its {@link LocalRoom} on the room's thread, which owns the participants read here.
 */
final class JoinMessages {

    private JoinMessages() {
    }

    /** The JoinResponse for {@code session}: the room, itself, and the participants already there but hidden ones. */
    static LivekitRtc.JoinResponse joinResponse(LivekitModels.Room room, ParticipantSession session,
                                                Collection<ParticipantSession> present,
                                                LivekitModels.ServerInfo serverInfo, ServerConfig config) {
        LivekitRtc.JoinResponse.Builder join = LivekitRtc.JoinResponse.newBuilder()
                .setRoom(room)
                .setParticipant(session.info())
                .setServerVersion(serverInfo.getVersion())
                .setServerInfo(serverInfo)
                .setSubscriberPrimary(true)
                .setPingInterval((int) config.pingInterval().toSeconds())
                .setPingTimeout((int) config.pingTimeout().toSeconds())
                .addEnabledPublishCodecs(LivekitModels.Codec.newBuilder().setMime("audio/opus"))
                // No fast_publish (LiveKit's server sets it for every participant that may publish: livekit/livekit,
                // pkg/rtc/room.go, createJoinResponseLocked): with it LiveKit's clients connect their publisher during
                // the join, which on one shared machine delayed the caller's first echoed audio (RoomJoinBenchmark,
                // benchmarks/results-rooms.md).
                .setClientConfiguration(clientConfiguration());
        for (ParticipantSession other : present) {
            if (!other.info().getPermission().getHidden()) {
                join.addOtherParticipants(other.info());
            }
        }
        return join.build();
    }

    /**
     * Sends the resumed participant, in order (livekit/livekit pkg/rtc/room.go ResumeParticipant):
     * ReconnectResponse, the participants that left meanwhile (DISCONNECTED), all participants (itself and
     * those not hidden), and the room.
     */
    static void sendResumed(ParticipantSession s, LivekitModels.Room room, Collection<ParticipantSession> present,
                            LivekitModels.ServerInfo serverInfo) {
        s.send(SignalResponse.newBuilder().setReconnect(LivekitRtc.ReconnectResponse.newBuilder()
                .setClientConfiguration(clientConfiguration())
                .setServerInfo(serverInfo)
                .setLastMessageSeq(s.reliableSequence.last())).build());
        List<ParticipantInfo> departed = s.takeDepartures();
        if (!departed.isEmpty()) {
            s.send(SignalResponse.newBuilder().setUpdate(LivekitRtc.ParticipantUpdate.newBuilder()
                    .addAllParticipants(departed)).build());
        }
        LivekitRtc.ParticipantUpdate.Builder everyone = LivekitRtc.ParticipantUpdate.newBuilder();
        for (ParticipantSession p : present) {
            if (p == s || !p.info().getPermission().getHidden()) {
                everyone.addParticipants(p.info());
            }
        }
        s.send(SignalResponse.newBuilder().setUpdate(everyone).build());
        s.send(SignalResponse.newBuilder().setRoomUpdate(LivekitRtc.RoomUpdate.newBuilder().setRoom(room)).build());
    }

    /** Resumption is allowed (left unset, as the real server does unless configured otherwise). */
    private static LivekitModels.ClientConfiguration clientConfiguration() {
        return LivekitModels.ClientConfiguration.getDefaultInstance();
    }
}
