package io.lkworker.api.rtc;

/** What a track captures (LiveKit's {@code TrackSource}). */
public enum TrackSource {
    UNKNOWN,
    CAMERA,
    MICROPHONE,
    SCREEN_SHARE,
    SCREEN_SHARE_AUDIO
}
