package io.lkworker.localserver.media;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.Peer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published video track on the development server: libwebrtc decodes what the publisher sends
 * (a sink on the received track, on its decoding thread) and each decoded picture is pushed, without
 * leaving native memory, into a custom source whose one track is encoded once per subscriber
 * connection it is added to. A real SFU forwards packets (livekit/livekit pkg/sfu); decoding and
 * re-encoding costs CPU (measured in benchmarks/results-video.md) and buys a library-only design like
 * {@link TrackForwarder}'s for audio. libwebrtc answers a subscriber's PLI/FIR with a key frame from
 * its own encoder, so a subscriber that joins late or loses packets recovers without asking the
 * publisher.
 *
 * <p>Nothing queues here: a picture is handed on inside the decoder's callback, and libwebrtc's
 * encoder drops pictures it cannot keep up with, so a slow subscriber costs frames, not memory.
 */
public final class VideoForwarder implements MediaForwarder {

    private static final Logger log = LoggerFactory.getLogger(VideoForwarder.class);

    private final String trackSid;
    private final VideoTrack incoming;
    private final CustomVideoSource source;
    private final VideoTrack outgoing;
    private final DecodedSink sink = new DecodedSink(this);
    private final AtomicLong forwarded = new AtomicLong();
    /** Which picture sizes are forwarded: a publisher that sends more than it was allowed costs frames, not CPU. */
    private final java.util.function.BiPredicate<Integer, Integer> sizeAllowed;
    private final AtomicLong oversized = new AtomicLong();
    /** Guards the source against a picture pushed while {@link #close()} frees it. */
    private final Object lock = new Object();
    private boolean closed;

    /**
     * Starts forwarding {@code incoming} (a video track received from its publisher) as track
     * {@code trackSid}, pictures whose width and height {@code sizeAllowed} accepts.
     */
    public VideoForwarder(MediaEngine engine, String trackSid, VideoTrack incoming,
                          java.util.function.BiPredicate<Integer, Integer> sizeAllowed) {
        this.trackSid = trackSid;
        this.sizeAllowed = sizeAllowed;
        this.incoming = incoming;
        this.source = new CustomVideoSource();
        this.outgoing = engine.factory().createVideoTrack(trackSid, source);
        incoming.addSink(sink);
    }

    @Override
    public String trackSid() {
        return trackSid;
    }

    @Override
    public RTCRtpSender attach(Peer subscriber, String streamId) {
        return subscriber.addTrack(outgoing, List.of(streamId));
    }

    /** Pictures not forwarded because they were larger than the bound. */
    public long oversizedFrames() {
        return oversized.get();
    }

    /** Pictures pushed to subscribers so far. */
    public long forwardedFrames() {
        return forwarded.get();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        sink.forwarder = null;
        try {
            incoming.removeSink(sink);
        } catch (RuntimeException e) {
            log.debug("video track {}: removing the sink: {}", trackSid, e.toString());
        }
        try {
            outgoing.dispose();
            source.dispose();
        } catch (RuntimeException | Error e) {
            // As for audio: a subscriber connection that is closed but not yet freed may still hold the
            // track (webrtc-java refuses to free it then); a little native memory stays behind.
            log.debug("video track {}: not freed: {}", trackSid, e.toString());
        }
    }

    /** On the publisher track's decoding thread. */
    private void onDecoded(VideoFrame frame) {
        int w = frame.buffer.getWidth();
        int h = frame.buffer.getHeight();
        if (!sizeAllowed.test(w, h)) {
            if (oversized.getAndIncrement() == 0) {
                log.warn("video track {}: the publisher sends {}x{}, larger than this server forwards; dropping"
                        + " such frames", trackSid, w, h);
            }
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            source.pushFrame(frame);
        }
        forwarded.incrementAndGet();
    }

    /**
     * What libwebrtc holds while the publisher's track lives: reaches the forwarder only through a
     * field {@link #close()} clears. Every frame carries one reference to a native picture
     * (webrtc-java's {@code VideoTrackSink::OnFrame}), released here on every path; pushing it takes a
     * reference of its own.
     */
    private static final class DecodedSink implements VideoTrackSink {
        private volatile VideoForwarder forwarder;

        DecodedSink(VideoForwarder forwarder) {
            this.forwarder = forwarder;
        }

        @Override
        public void onVideoFrame(VideoFrame frame) {
            try {
                VideoForwarder f = forwarder;
                if (f != null) {
                    f.onDecoded(frame);
                }
            } finally {
                frame.release();
            }
        }
    }
}
