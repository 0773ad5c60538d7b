package io.lkworker.api.rtc;

/** Which published tracks the room subscribes to by itself (LiveKit's {@code auto_subscribe}). */
public enum AutoSubscribe {
    /** Every track of every participant (LiveKit's default). */
    ALL,
    /** Audio tracks only: what a voice agent wants. */
    AUDIO_ONLY,
    /** None: subscribe with {@link RemoteTrackPublication#setSubscribed(boolean)}. */
    NONE
}
