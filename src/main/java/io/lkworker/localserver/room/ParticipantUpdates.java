package io.lkworker.localserver.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import livekit.LivekitModels;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalResponse;

/**
 * Changes to a room's participants: a participant's new info goes to the others (a participant whose
 * signalling is down keeps the departures for its resume), and the snapshots readers outside the room see.
 *
 * <p>Threads: owned by the room's thread, as its {@link LocalRoom} (whose participants map it reads);
 * only {@link #snapshot()} and {@link #clients()} are for any thread.
 */
final class ParticipantUpdates {

    /** The room's participants by identity; the room's, read here on its thread. */
    private final Map<String, ParticipantSession> participants;
    private volatile List<ParticipantInfo> snapshot = List.of();
    private volatile Map<String, LivekitModels.ClientInfo> clientsSnapshot = Map.of();

    ParticipantUpdates(Map<String, ParticipantSession> participants) {
        this.participants = participants;
    }

    /** Applies a change to {@code s}'s info (new version) and tells the others (and, if asked, itself). */
    void update(ParticipantSession s, ParticipantInfo.Builder changed, boolean includeSelf) {
        if (participants.get(s.identity()) != s) {
            return;
        }
        ParticipantInfo info = changed.setVersion(s.info().getVersion() + 1).build();
        s.setInfo(info);
        publishSnapshot();
        broadcast(info, includeSelf ? null : s);
    }

    /** Tells everyone but {@code except} of {@code info} (nobody if it is hidden). */
    void broadcast(ParticipantInfo info, ParticipantSession except) {
        if (info.getPermission().getHidden()) {
            return;
        }
        SignalResponse update = SignalResponse.newBuilder().setUpdate(LivekitRtc.ParticipantUpdate.newBuilder()
                .addParticipants(info)).build();
        for (ParticipantSession s : participants.values()) {
            if (s == except) {
                continue;
            }
            if (s.signalUp()) {
                s.send(update);
            } else if (info.getState() == ParticipantInfo.State.DISCONNECTED) {
                s.noteDeparture(info);
            }
        }
    }

    /** Takes the snapshots of the participants (after a join, a change or a departure). */
    void publishSnapshot() {
        List<ParticipantInfo> now = new ArrayList<>();
        Map<String, LivekitModels.ClientInfo> clients = new LinkedHashMap<>();
        participants.values().forEach(p -> {
            now.add(p.info());
            clients.put(p.identity(), p.client);
        });
        snapshot = List.copyOf(now);
        clientsSnapshot = Map.copyOf(clients);
    }

    /** The participants as of the last change (any thread). */
    List<ParticipantInfo> snapshot() {
        return snapshot;
    }

    /** The participants' clients as of the last change, by identity (any thread). */
    Map<String, LivekitModels.ClientInfo> clients() {
        return clientsSnapshot;
    }
}
