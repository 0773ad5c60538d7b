package io.lkworker.rtc;

import livekit.LivekitModels.DataPacket;

/**
 * A part of the session that speaks its own protocol over data packets (RPC, data streams). The
 * session routes to it every packet of the kinds it {@link #accepts}, and tells it when a remote
 * participant leaves and when the room is over. All three run on the session thread: return fast and
 * hand anything slow (an agent's handler) to another thread.
 */
interface DataPacketHandler {

    /** Whether {@code kind} (the packet's {@code value} case) is this handler's. */
    boolean accepts(DataPacket.ValueCase kind);

    /**
     * A packet of an accepted kind from {@code senderIdentity} (the server's stamp; "" when the server
     * itself sent it). Packets we sent ourselves never arrive here.
     */
    void onPacket(DataPacket packet, String senderIdentity);

    /** The remote participant {@code identity} left the room (or was unwound for a full reconnect). */
    default void onParticipantLeft(String identity) {
    }

    /** The room is disconnected for good; {@code reason} is LiveKit's name for why. */
    default void onRoomClosed(String reason) {
    }
}
