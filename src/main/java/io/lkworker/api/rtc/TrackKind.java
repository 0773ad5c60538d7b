package io.lkworker.api.rtc;

/** Audio or video. Rooms on lk-worker carry audio; video tracks of others are listed but not decoded. */
public enum TrackKind {
    AUDIO,
    VIDEO
}
