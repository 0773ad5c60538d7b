package io.lkworker.runner;

import io.lkworker.api.rtc.RoomException;

/**
 * What {@link HostedJobContext#waitForParticipant()} throws when the job's room closes (deleted,
 * emptied, agent removed, server gone) before anyone came. A {@link RoomException}, so agent code
 * that catches those still does; but when it reaches {@link JobHost} uncaught, the job ends as an
 * ordinary end with the room's reason, not as a failure of the agent: nobody coming to a room is
 * not something the agent did wrong (issue 20, item 8).
 */
final class RoomClosedWhileWaitingException extends RoomException {

    private final String roomReason;

    RoomClosedWhileWaitingException(String roomReason, RoomException cause) {
        super("the room closed (" + roomReason + ") while waiting for a participant", cause);
        this.roomReason = roomReason;
    }

    /** The room's disconnect reason, e.g. {@code ROOM_DELETED}. */
    String roomReason() {
        return roomReason;
    }
}
