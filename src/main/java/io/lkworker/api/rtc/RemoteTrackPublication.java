package io.lkworker.api.rtc;

import java.util.Optional;

/** A track another participant published. */
public interface RemoteTrackPublication extends TrackPublication {

    /** The track while subscribed. */
    Optional<RemoteTrack> track();

    boolean isSubscribed();

    /**
     * Asks the server to start or stop sending this track. Subscribing is confirmed by
     * {@link RoomListener#onTrackSubscribed}; tracks the room cannot play (video) are not subscribed.
     */
    void setSubscribed(boolean subscribed);
}
