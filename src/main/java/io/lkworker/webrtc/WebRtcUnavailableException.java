package io.lkworker.webrtc;

/** The WebRTC library cannot be used in this process; the message says why and what to install. */
public final class WebRtcUnavailableException extends RuntimeException {

    public WebRtcUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
