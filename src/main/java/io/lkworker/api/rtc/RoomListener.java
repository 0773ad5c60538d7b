package io.lkworker.api.rtc;

import java.util.Map;

/**
 * What happens in a room. Every method has an empty default: override what you need. Methods run
 * on the room's event thread, one at a time, in order. A method that blocks delays the room's later
 * events (never its audio or signalling); while listeners are far behind, data messages
 * ({@link #onDataReceived}) are dropped rather than kept without bound (lk-worker keeps at most 500
 * messages or 8 MiB waiting per room, and logs a WARN with the number dropped); other events are
 * never dropped. A method may call {@link io.lkworker.api.JobContext#waitForParticipant()}.
 */
public interface RoomListener {

    default void onParticipantConnected(RemoteParticipant participant) {
    }

    default void onParticipantDisconnected(RemoteParticipant participant) {
    }

    default void onTrackPublished(RemoteTrackPublication publication, RemoteParticipant participant) {
    }

    default void onTrackUnpublished(RemoteTrackPublication publication, RemoteParticipant participant) {
    }

    default void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant participant) {
    }

    default void onTrackUnsubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant participant) {
    }

    default void onTrackMuted(TrackPublication publication, Participant participant) {
    }

    default void onTrackUnmuted(TrackPublication publication, Participant participant) {
    }

    /**
     * A data message; {@code from} is null when the server itself sent it. {@code topic} is "" when
     * none. May be dropped when the listeners are far behind (see the class comment).
     */
    default void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
    }

    default void onParticipantMetadataChanged(Participant participant, String oldMetadata) {
    }

    default void onParticipantNameChanged(Participant participant, String oldName) {
    }

    /** {@code changed} holds the new values; a removed attribute maps to "". */
    default void onParticipantAttributesChanged(Map<String, String> changed, Participant participant) {
    }

    /**
     * The connection to the server was lost or the server asked us to move; the room is trying to
     * resume or reconnect ({@link ConnectionState#RECONNECTING}). Tracks keep their state; audio may
     * pause; published tracks stay published and their sources keep their queues. Followed by
     * {@link #onReconnected()} when the room is back, or by {@link #onDisconnected(String)} if it gives up.
     */
    default void onReconnecting() {
    }

    /**
     * The room is back ({@link ConnectionState#CONNECTED} again). After a resume nothing else changed.
     * After a full reconnect (a new session) the remote participants were announced as disconnected
     * and again as connected, their tracks subscribed anew (streams of the old tracks ended), and local
     * tracks republished under new sids.
     */
    default void onReconnected() {
    }

    /**
     * The room is disconnected, for good. {@code reason} is LiveKit's name for it, such as
     * {@code CLIENT_INITIATED}, {@code ROOM_DELETED}, {@code PARTICIPANT_REMOVED},
     * {@code DUPLICATE_IDENTITY}, {@code SERVER_SHUTDOWN}, or {@code SIGNAL_CLOSE} / {@code MEDIA_FAILURE} when the
     * connection was lost and could not be resumed or re-established within the reconnect timeout.
     */
    default void onDisconnected(String reason) {
    }
}
