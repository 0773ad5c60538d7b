package io.lkworker.rtc;

import io.lkworker.api.rtc.RemoteTrack;

/** A received track as the session manages it, audio or video: it ends once, on the session thread. */
interface SubscribedTrack extends RemoteTrack {

    boolean isEnded();

    /** Detaches from libwebrtc and tells every sink; idempotent. */
    void end();
}
