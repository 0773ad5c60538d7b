package io.lkworker.api.rtc;

/** A track another participant publishes, as received by this room. */
public interface RemoteTrack extends Track {

    /** The track's id in the room ({@code TR_...}). */
    String sid();
}
