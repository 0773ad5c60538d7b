package io.lkworker.localserver.media;

import dev.onvoid.webrtc.RTCRtpSender;
import io.lkworker.webrtc.Peer;

/**
 * One published track on the development server, carried to every subscriber by one outgoing track
 * ({@link TrackForwarder} for audio, {@link VideoForwarder} for video). Room thread.
 */
public interface MediaForwarder extends AutoCloseable {

    String trackSid();

    /** Adds the forwarded track to a subscriber's connection; the caller renegotiates it. */
    RTCRtpSender attach(Peer subscriber, String streamId);

    /** Stops forwarding and frees the native objects. Every subscriber's sender must have been removed first. */
    @Override
    void close();
}
