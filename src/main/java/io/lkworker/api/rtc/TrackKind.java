package io.lkworker.api.rtc;

/** Audio or video. */
public enum TrackKind {
    AUDIO,
    VIDEO
}
