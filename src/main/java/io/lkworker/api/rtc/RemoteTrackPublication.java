package io.lkworker.api.rtc;

import java.util.Optional;

/** A track another participant published. */
public interface RemoteTrackPublication extends TrackPublication {

    /** The track while subscribed. */
    Optional<RemoteTrack> track();

    boolean isSubscribed();

    /**
     * Asks the server to start or stop sending this track. Subscribing is confirmed by
     * {@link RoomListener#onTrackSubscribed}; the track is a {@link RemoteAudioTrack} or a
     * {@link RemoteVideoTrack}.
     */
    void setSubscribed(boolean subscribed);
}
