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

    // ---- data streams

    /**
     * Takes every incoming text stream on {@code topic} from now on: {@code handler} runs on a thread of
     * the room's data-stream pool once per stream (see {@link TextStreamHandler}). Streams on a topic
     * without a handler are ignored. See {@code docs/data-streams.md} for the limits.
     *
     * @throws IllegalStateException if {@code topic} already has a text stream handler
     * @throws IllegalArgumentException if {@code topic} is reserved by LiveKit's SDKs ({@code lk.rpc_request},
     *     {@code lk.rpc_response})
     */
    void registerTextStreamHandler(String topic, TextStreamHandler handler);

    /** Stops taking text streams on {@code topic} (streams already open go on). */
    void unregisterTextStreamHandler(String topic);

    /** As {@link #registerTextStreamHandler}, for byte streams (a separate registry). */
    void registerByteStreamHandler(String topic, ByteStreamHandler handler);

    /** Stops taking byte streams on {@code topic} (streams already open go on). */
    void unregisterByteStreamHandler(String topic);

    /** Leaves the room (idempotent): tells the server, closes the media, ends every track and stream. */
    void disconnect();
}
