package io.lkworker.rtc;

/**
 * Hears the steps of {@link RtcRoom#connect}: the signalling answer, then the media transports.
 * Called on the connecting thread, in this order; a connect that fails stops calling it.
 */
public interface ConnectProgress {

    /** The server answered the join over the signalling connection. */
    default void signallingConnected() {
    }

    /** Both media transports (subscriber and publisher: ICE and DTLS) are up. */
    default void transportsUp() {
    }

    ConnectProgress NONE = new ConnectProgress() { };
}
