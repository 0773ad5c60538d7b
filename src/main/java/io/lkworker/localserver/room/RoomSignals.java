package io.lkworker.localserver.room;

import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's handling of its participants' signalling requests: negotiation goes to the participant,
 * tracks to {@link RoomTracks}, metadata changes to {@link ParticipantUpdates}, a leave to the room.
 *
 * <p>Threads: owned by the room's thread, as its {@link LocalRoom}; every method runs there.
 */
final class RoomSignals {

    /** Logs under the room's logger, so the room's lines keep one logger name. */
    private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);

    /** What signalling needs of its room. */
    interface Room {
        String name();

        /** Removes the participant (a client's leave: it is not told). */
        void remove(ParticipantSession s, DisconnectReason reason);
    }

    private final Room room;
    private final RoomTracks tracks;
    private final ParticipantUpdates updates;

    RoomSignals(Room room, RoomTracks tracks, ParticipantUpdates updates) {
        this.room = room;
        this.tracks = tracks;
        this.updates = updates;
    }

    /** A signalling request from {@code s} on {@code from}; ignored unless {@code from} is its connection now. */
    void onSignal(ParticipantSession s, SignalLink from, SignalRequest request) {
        if (s.isClosed() || s.link() != from) {
            return;
        }
        switch (request.getMessageCase()) {
            case OFFER -> s.onPublisherOffer(request.getOffer());
            case ANSWER -> s.onSubscriberAnswer(request.getAnswer());
            case TRICKLE -> s.onTrickle(request.getTrickle());
            case ADD_TRACK -> {
                log.debug("room '{}': {} asks to publish track {} ({})", room.name(), s.identity(), request.getAddTrack().getCid(),
                        request.getAddTrack().getName());
                tracks.onAddTrack(s, request.getAddTrack());
            }
            case MUTE -> tracks.onMute(s, request.getMute());
            case SUBSCRIPTION -> {
                log.debug("room '{}': {} {} {}", room.name(), s.identity(),
                        request.getSubscription().getSubscribe() ? "subscribes to" : "unsubscribes from",
                        request.getSubscription().getTrackSidsList());
                tracks.onSubscription(s, request.getSubscription());
            }
            case LEAVE -> room.remove(s, DisconnectReason.CLIENT_INITIATED);
            case PING -> s.send(SignalResponse.newBuilder().setPong(System.currentTimeMillis()).build());
            case PING_REQ -> s.send(SignalResponse.newBuilder().setPongResp(LivekitRtc.Pong.newBuilder()
                    .setLastPingTimestamp(request.getPingReq().getTimestamp())
                    .setTimestamp(System.currentTimeMillis())).build());
            case UPDATE_METADATA -> onUpdateMetadata(s, request.getUpdateMetadata());
            case SYNC_STATE -> onSyncState(s, request.getSyncState());
            default -> log.debug("room '{}': {} sent {}; not handled by the dev server", room.name(), s.identity(),
                    request.getMessageCase());
        }
    }

    private void onUpdateMetadata(ParticipantSession s, LivekitRtc.UpdateParticipantMetadata m) {
        LivekitRtc.RequestResponse.Builder response = LivekitRtc.RequestResponse.newBuilder().setRequestId(m.getRequestId());
        if (!s.info().getPermission().getCanUpdateMetadata()) {
            s.send(SignalResponse.newBuilder().setRequestResponse(response
                    .setReason(LivekitRtc.RequestResponse.Reason.NOT_ALLOWED)
                    .setMessage("does not have permission to update own metadata")).build());
            return;
        }
        ParticipantInfo.Builder info = s.info().toBuilder().setMetadata(m.getMetadata());
        if (!m.getName().isEmpty()) {
            info.setName(m.getName());
        }
        m.getAttributesMap().forEach((k, v) -> {
            if (v.isEmpty()) {
                info.removeAttributes(k);
            } else {
                info.putAttributes(k, v);
            }
        });
        updates.update(s, info, true);
        s.send(SignalResponse.newBuilder().setRequestResponse(response.setReason(LivekitRtc.RequestResponse.Reason.OK)).build());
    }

    /** The client's state after a resume (livekit/livekit pkg/rtc/room.go onSyncState): its subscriptions. */
    private void onSyncState(ParticipantSession s, LivekitRtc.SyncState sync) {
        if (sync.hasSubscription()) {
            tracks.onSubscription(s, sync.getSubscription());
        }
        log.debug("room '{}': {} synced: {} published, {} data channels, {} disabled tracks, offer {}, answer {}",
                room.name(), s.identity(), sync.getPublishTracksCount(), sync.getDataChannelsCount(),
                sync.getTrackSidsDisabledCount(), sync.hasOffer(), sync.hasAnswer());
    }
}
