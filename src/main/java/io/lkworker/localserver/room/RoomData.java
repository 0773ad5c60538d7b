package io.lkworker.localserver.room;

import com.google.protobuf.ByteString;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.DisconnectReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's data packets: from participants (the server sets the sender) and from the server itself
 * (RoomService.SendData), to everyone or to the destinations.
 *
 * <p>Threads: owned by the room's thread, as its {@link LocalRoom}; every method runs there.
 */
final class RoomData {

    /** Logs under the room's logger, so the room's lines keep one logger name. */
    private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);

    /** What data needs of its room. */
    interface Room {
        String name();

        /** The participants in the room, in the order they joined. */
        Collection<ParticipantSession> participants();

        /** Removes the participant (it is not told: its signalling is failed first). */
        void remove(ParticipantSession s, DisconnectReason reason);
    }

    private final Room room;

    RoomData(Room room) {
        this.room = room;
    }

    /**
     * A data packet from {@code from}: the sender fields are the server's to set, then it goes to every
     * other participant or only to the destinations, on the channel of the kind it came on.
     */
    void onData(ParticipantSession from, byte[] bytes, boolean reliable) {
        if (from.isClosed() || !from.info().getPermission().getCanPublishData()) {
            return;
        }
        DataPacket packet;
        try {
            packet = DataPacket.parseFrom(bytes);
        } catch (Exception e) {
            log.debug("room '{}': undecodable data packet from {}", room.name(), from.identity());
            return;
        }
        if (reliable && !from.reliableSequence.accept(packet.getSequence())) {
            log.debug("room '{}': dropped a replayed reliable packet {} from {}", room.name(),
                    Integer.toUnsignedLong(packet.getSequence()), from.identity());
            return;
        }
        Set<String> destinations = new LinkedHashSet<>(packet.getDestinationIdentitiesList());
        DataPacket.Builder out = packet.toBuilder()
                .setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY)
                .setParticipantIdentity(from.identity())
                .setParticipantSid(from.sid());
        if (packet.hasStreamHeader() && packet.getStreamHeader().hasTextHeader()
                && from.info().getKind() == LivekitModels.ParticipantInfo.Kind.AGENT
                && !packet.getParticipantIdentity().isEmpty() && !packet.getParticipantIdentity().equals(from.identity())) {
            // an agent's text stream on behalf of another participant (its transcription) keeps that
            // identity and is marked generated, as livekit/livekit pkg/rtc/participant.go handleReceivedDataMessage
            out.setParticipantIdentity(packet.getParticipantIdentity());
            out.getStreamHeaderBuilder().getTextHeaderBuilder().setGenerated(true);
        }
        if (packet.hasUser()) {
            destinations.addAll(packet.getUser().getDestinationIdentitiesList());
            out.setUser(packet.getUser().toBuilder().setParticipantIdentity(from.identity()).setParticipantSid(from.sid()));
        }
        byte[] forwarded = out.build().toByteArray();
        for (ParticipantSession to : room.participants()) {
            if (to != from && (destinations.isEmpty() || destinations.contains(to.identity()))) {
                to.deliver(forwarded, reliable);
            }
        }
    }

    /** The participant sent more data than the room thread can take: it floods and is removed. */
    void onDataFlood(ParticipantSession s) {
        if (!s.isClosed()) {
            log.warn("room '{}': {} has more than {} data messages waiting for the room; it floods, removing it",
                    room.name(), s.identity(), BoundedInbox.MAX_PENDING_DATA_MESSAGES);
            s.link().fail(new SignalLink.End("data flood", false));
            room.remove(s, DisconnectReason.SIGNAL_CLOSE);
        }
    }

    /** A data message from the server itself (RoomService.SendData). */
    void sendData(byte[] payload, String topic, List<String> destinations, boolean reliable) {
        LivekitModels.UserPacket.Builder user = LivekitModels.UserPacket.newBuilder()
                .setPayload(ByteString.copyFrom(payload)).addAllDestinationIdentities(destinations);
        if (!topic.isEmpty()) {
            user.setTopic(topic);
        }
        byte[] packet = DataPacket.newBuilder().setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY)
                .addAllDestinationIdentities(destinations).setUser(user).build().toByteArray();
        for (ParticipantSession to : room.participants()) {
            if (destinations.isEmpty() || destinations.contains(to.identity())) {
                to.deliver(packet, reliable);
            }
        }
    }
}
