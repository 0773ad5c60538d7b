package io.lkworker.rtc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitModels.DataPacket;

/**
 * Hands the data packets we receive to whoever takes them: user packets to the listeners (through
 * {@link ParticipantTracker}), every other kind to the {@link DataPacketHandler} that accepts it (RPC,
 * data streams). The handlers are also told when a participant leaves and when the room closes.
 *
 * <p><b>Threads.</b> Packets and events arrive on the session thread; handlers are added before the
 * session connects (the list is fixed once connected).
 */
final class DataPacketRouter {

    private final ParticipantTracker participants;
    /** RPC, data streams: who takes which non-user data packets (fixed once connected). */
    private final List<DataPacketHandler> handlers = new CopyOnWriteArrayList<>();

    DataPacketRouter(ParticipantTracker participants) {
        this.participants = participants;
    }

    /** Registers a handler of non-user data packets; before the session connects. */
    void add(DataPacketHandler handler) {
        handlers.add(handler);
    }

    /** Session thread: a packet from the room. */
    void route(DataPacket packet) {
        if (packet.hasUser()) {
            participants.onUserData(packet);
            return;
        }
        String sender = packet.getParticipantIdentity();
        if (participants.hasLocal() && sender.equals(participants.local().identity())
                && packet.getValueCase() != DataPacket.ValueCase.STREAM_HEADER) {
            return; // (a stream header naming us is an agent's transcription of what we said)
        }
        for (DataPacketHandler handler : handlers) {
            if (handler.accepts(packet.getValueCase())) {
                handler.onPacket(packet, sender);
                return;
            }
        }
    }

    /** Session thread: a remote participant left; the handlers forget what they had from it. */
    void onParticipantLeft(String identity) {
        for (DataPacketHandler handler : handlers) {
            handler.onParticipantLeft(identity);
        }
    }

    /** Session thread: the room ended. */
    void onRoomClosed(String reason) {
        for (DataPacketHandler handler : handlers) {
            handler.onRoomClosed(reason);
        }
    }
}
