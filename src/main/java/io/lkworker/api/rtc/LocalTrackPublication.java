package io.lkworker.api.rtc;

/** A track this participant published. */
public interface LocalTrackPublication extends TrackPublication {

    LocalAudioTrack track();
}
