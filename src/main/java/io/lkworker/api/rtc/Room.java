package io.lkworker.api.rtc;

import java.util.Map;

/**
 * A connection to a LiveKit room. Obtained from {@link io.lkworker.api.JobContext#connect()}; in a
 * job the worker disconnects it when the job ends, and the job ends when the room disconnects on its
 * own (room deleted, agent removed, connection lost).
 */
public interface Room {

    String name();

    /** The room's id ({@code RM_...}); may be empty on servers that send it later. */
    String sid();

    String metadata();

    LocalParticipant localParticipant();

    /** The other participants, by identity (a snapshot). */
    Map<String, RemoteParticipant> remoteParticipants();

    ConnectionState connectionState();

    /**
     * Whether the room is {@link ConnectionState#CONNECTED}: false while connecting, while
     * {@link ConnectionState#RECONNECTING} (the room may still come back) and once disconnected.
     */
    default boolean isConnected() {
        return connectionState() == ConnectionState.CONNECTED;
    }

    /**
     * Adds a listener; its methods run on the room's event thread. The first listener added also
     * receives, first, what happened since {@code connect()} returned (participants who joined, tracks
     * subscribed), so nothing is lost between connecting and listening.
     */
    void addListener(RoomListener listener);

    void removeListener(RoomListener listener);

    /** Leaves the room (idempotent): tells the server, closes the media, ends every track and stream. */
    void disconnect();
}
