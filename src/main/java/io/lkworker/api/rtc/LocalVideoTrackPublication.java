package io.lkworker.api.rtc;

/** A video track this participant published. */
public interface LocalVideoTrackPublication extends TrackPublication {

    LocalVideoTrack track();
}
