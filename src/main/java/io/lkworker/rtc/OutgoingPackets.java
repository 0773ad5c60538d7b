package io.lkworker.rtc;

import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.RoomException;
import java.util.concurrent.locks.LockSupport;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;

/**
 * Sends our data packets on the engine's data channels: the agent's user data, and the packets of
 * the protocols over data (RPC, data streams). Fills in kind and sender, and refuses to queue more
 * than {@link #MAX_BUFFERED_DATA}.
 *
 * <p><b>Threads.</b> {@link #sendPacketNow} runs on the session thread. The rest are called on agent
 * threads: they run their steps on the session thread ({@link RtcSession#call}) and wait on the
 * agent's thread, for the room to be usable and the channel open.
 */
final class OutgoingPackets {

    /** Data channels are bounded by memory, not by the network: refuse to queue more than this. */
    static final long MAX_BUFFERED_DATA = 16L << 20;

    private final RtcSession session;
    private final ParticipantTracker participants;

    OutgoingPackets(RtcSession session, ParticipantTracker participants) {
        this.session = session;
        this.participants = participants;
    }

    void publishData(byte[] data, DataOptions dataOptions) {
        if (data.length > DataOptions.MAX_SIZE) {
            throw new IllegalArgumentException("data message of " + data.length + " bytes is over the limit of "
                    + DataOptions.MAX_SIZE);
        }
        LivekitModels.UserPacket.Builder user = LivekitModels.UserPacket.newBuilder()
                .setPayload(com.google.protobuf.ByteString.copyFrom(data))
                .addAllDestinationIdentities(dataOptions.destinationIdentities());
        if (!dataOptions.topic().isEmpty()) {
            user.setTopic(dataOptions.topic());
        }
        sendPacket(DataPacket.newBuilder().addAllDestinationIdentities(dataOptions.destinationIdentities()).setUser(user),
                dataOptions.reliable(), Awaits.deadline(RtcSession.PUBLISH_TIMEOUT));
    }

    /**
     * Sends {@code packet} (its value and destinations set; kind and sender are filled in here) once the
     * room is usable and the data channel open, waiting for a reconnect within {@code deadlineNanos}.
     * Agent threads only. Throws {@link RoomException} when the channel is closed or congested.
     */
    void sendPacket(DataPacket.Builder packet, boolean reliable, long deadlineNanos) {
        session.awaitUsable(deadlineNanos);
        RtcEngine engine = session.engine();
        Awaits.await(session.call(() -> engine.dataChannelOpen(reliable)), deadlineNanos, "the data channel to open");
        boolean sent = session.call(() -> {
            if (engine.bufferedData(reliable) > MAX_BUFFERED_DATA) {
                throw new RoomException("data channel congested: over " + (MAX_BUFFERED_DATA >> 20)
                        + " MB waiting to be sent");
            }
            LocalParticipantImpl me = participants.local();
            packet.setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY).setParticipantSid(me.sid());
            if (packet.getParticipantIdentity().isEmpty()) {
                // a data stream sent on behalf of another participant keeps that identity (transcriptions)
                packet.setParticipantIdentity(me.identity());
            }
            return engine.sendData(packet, reliable);
        });
        if (!sent) {
            throw new RoomException("data channel is not open");
        }
    }

    /**
     * Session thread: sends {@code packet} (value and destinations set) on the reliable channel at once,
     * without waiting; false if there is no channel to send it on or it is congested. For answers that must not wait for
     * anything, nor queue behind agent threads (RPC acknowledgements).
     */
    boolean sendPacketNow(DataPacket.Builder packet) {
        RtcEngine engine = session.engine();
        if (engine == null || !participants.hasLocal() || session.state() == ConnectionState.DISCONNECTED
                || engine.bufferedData(true) > MAX_BUFFERED_DATA) {
            return false;
        }
        LocalParticipantImpl me = participants.local();
        packet.setKind(DataPacket.Kind.RELIABLE).setParticipantIdentity(me.identity()).setParticipantSid(me.sid());
        return engine.sendData(packet, true);
    }

    /**
     * Agent thread: waits while more than {@code maxBytes} wait unsent in the reliable data channel, so
     * a data stream's writer slows to the network's pace instead of queueing. libwebrtc's
     * buffered-amount callback is not relayed to us, so this looks every few milliseconds.
     */
    void awaitReliableBacklogBelow(long maxBytes, long deadlineNanos) {
        RtcEngine engine = session.engine();
        while (engine != null && session.call(() -> engine.bufferedData(true)) > maxBytes) {
            if (System.nanoTime() > deadlineNanos) {
                throw new RoomException("data channel congested: over " + (maxBytes >> 20)
                        + " MiB still unsent after " + OutgoingStream.SEND_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
