package io.lkworker.rtc;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A caller (our room client) in a room with an agent, and what it sees of the agent: the agent
 * participant, the agent's newest audio track (a full reconnect brings a new one), and data messages
 * as {@code topic:text}.
 */
final class AgentCaller {

    final RtcRoom room;
    final CompletableFuture<RemoteParticipant> agent = new CompletableFuture<>();
    final AtomicReference<RemoteAudioTrack> agentAudio = new AtomicReference<>();
    final CompletableFuture<RemoteAudioTrack> firstAgentAudio = new CompletableFuture<>();
    final List<String> data = new CopyOnWriteArrayList<>();

    private AgentCaller(RtcRoom room) {
        this.room = room;
        room.addListener(new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant p) {
                if (p.kind() == ParticipantKind.AGENT) {
                    agent.complete(p);
                }
            }

            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant from) {
                if (from.kind() == ParticipantKind.AGENT) {
                    agentAudio.set((RemoteAudioTrack) track);
                    firstAgentAudio.complete((RemoteAudioTrack) track);
                }
            }

            @Override
            public void onDataReceived(byte[] bytes, RemoteParticipant from, String topic) {
                data.add(topic + ":" + new String(bytes, StandardCharsets.UTF_8));
            }
        });
    }

    /** Joins {@code roomName} on the server at {@code url} as identity "caller". */
    static AgentCaller join(String url, String roomName) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET,
                roomName, "caller", "Caller", System.currentTimeMillis(), Duration.ofMinutes(5));
        return new AgentCaller(RtcRoom.connect(url, token, ConnectOptions.defaults()));
    }
}
