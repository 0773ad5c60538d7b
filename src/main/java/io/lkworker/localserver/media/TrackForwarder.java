package io.lkworker.localserver.media;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.webrtc.AudioPump;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.Pcm;
import io.lkworker.webrtc.Peer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One published audio track on the development server: libwebrtc decodes what the publisher sends,
 * and one re-encoding track carries it to every subscriber (a real SFU forwards packets; decoding
 * and re-encoding costs a development server a little CPU and buys a simple, library-only design).
 *
 * <p>Frames from the decoding side (the audio playout thread, 10 ms each) wait in a short queue
 * that the audio pump drains, one frame per tick. When the queue is empty the pump skips the tick
 * instead of inserting silence: the decoding side's clock runs about 1 % slow, and skipping keeps
 * the forwarded stream continuous. When the queue overflows (a stall), the oldest frames go, so
 * the delay through the server stays bounded; silence standing in it is cut ({@link ForwardQueue}).
 */
public final class TrackForwarder implements MediaForwarder {

    private static final Logger log = LoggerFactory.getLogger(TrackForwarder.class);
    /** 48 kHz mono: what libwebrtc's playout side delivers for an opus voice track. */
    static final int SAMPLE_RATE = 48000;
    static final int SAMPLES_PER_FRAME = SAMPLE_RATE / 100;
    /** About -40 dBFS: the benchmarks' onset threshold, for the debug timing lines only. */
    private static final double LOUD_RMS = 330;

    private final String trackSid;
    private final AudioTrack incoming;
    private final CustomAudioSource source;
    private final AudioTrack outgoing;
    private final AudioPump.Registration pumping;
    private final ForwardQueue queue = new ForwardQueue();
    private final DecodedSink sink = new DecodedSink(this);
    /** Debug timing only: the first frame above about -40 dBFS was queued (playout thread) / pumped. */
    private boolean loudQueued;
    private volatile short[] firstLoud;
    private volatile boolean closed;

    /** Starts forwarding {@code incoming} (a track received from its publisher) as track {@code trackSid}. */
    public TrackForwarder(MediaEngine engine, String trackSid, AudioTrack incoming) {
        this.trackSid = trackSid;
        this.incoming = incoming;
        this.source = new CustomAudioSource();
        this.outgoing = engine.factory().createAudioTrack(trackSid, source);
        this.pumping = engine.pump().add(source, new AudioPump.Producer() {
            @Override
            public int sampleRate() {
                return SAMPLE_RATE;
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public int read(short[] into) {
                short[] frame = queue.poll();
                if (frame == null) {
                    return -1;
                }
                if (frame == firstLoud) {
                    log.debug("track {}: first loud frame pumped", trackSid);
                }
                System.arraycopy(frame, 0, into, 0, into.length);
                return into.length;
            }
        });
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

    /** Frames dropped because the queue overflowed. */
    public long droppedFrames() {
        return queue.dropped();
    }

    /** Silent frames cut to keep the queue short. */
    public long trimmedFrames() {
        return queue.trimmed();
    }

    /** Stops forwarding. Every subscriber's sender must have been removed first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sink.forwarder = null;
        try {
            incoming.removeSink(sink);
        } catch (RuntimeException e) {
            log.debug("track {}: removing the sink: {}", trackSid, e.toString());
        }
        pumping.close();
        try {
            outgoing.dispose();
            source.dispose();
        } catch (RuntimeException | Error e) {
            // A closed subscriber connection may still hold the track (webrtc-java refuses to free it then):
            // a little native memory stays behind on a development server, nothing else.
            log.debug("track {}: not freed: {}", trackSid, e.toString());
        }
    }

    /** On the audio playout thread. */
    private void onDecoded(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
        if (closed || bitsPerSample != 16 || sampleRate != SAMPLE_RATE || frames != SAMPLES_PER_FRAME) {
            return;
        }
        short[] samples = Pcm.fromLittleEndian(data, frames * channels);
        if (channels > 1) {
            short[] mono = new short[frames];
            for (int i = 0; i < frames; i++) {
                int sum = 0;
                for (int c = 0; c < channels; c++) {
                    sum += samples[i * channels + c];
                }
                mono[i] = (short) (sum / channels);
            }
            samples = mono;
        }
        int queued = queue.add(samples);
        if (!loudQueued && log.isDebugEnabled() && Pcm.rms(samples) > LOUD_RMS) {
            loudQueued = true;
            firstLoud = samples;
            log.debug("track {}: first loud frame decoded, {} frames queued", trackSid, queued);
        }
    }

    /**
     * What libwebrtc holds while the publisher's track lives (through a JNI global reference, webrtc-java
     * issue #146): reaches the forwarder only through a field {@link #close()} clears, so a sink whose
     * removal failed keeps this shell alive, not the forwarder and its room.
     */
    private static final class DecodedSink implements AudioTrackSink {
        private volatile TrackForwarder forwarder;

        DecodedSink(TrackForwarder forwarder) {
            this.forwarder = forwarder;
        }

        @Override
        public void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            TrackForwarder f = forwarder;
            if (f != null) {
                f.onDecoded(data, bitsPerSample, sampleRate, channels, frames);
            }
        }
    }
}
