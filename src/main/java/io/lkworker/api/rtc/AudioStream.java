package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.Iterator;

/**
 * A remote audio track as a blocking stream of 10 ms {@link AudioFrame}s at the sample rate and
 * channel count you ask for (converted from the 48 kHz the track decodes to):
 *
 * <pre>{@code
 * try (AudioStream stream = AudioStream.of(track, 16000, 1)) {
 *     for (AudioFrame frame : stream) {   // ends when the track ends or the stream is closed
 *         recognizer.feed(frame.data());
 *     }
 * }
 * }</pre>
 *
 * Frames wait in a bounded queue (10 s by default); a reader that falls further behind loses the
 * oldest frames, counted by {@link #droppedFrames()}, and a warning is logged the first time (and the
 * total when the stream ends), so a slow reader is not silent. Closing the stream detaches it from the track.
 */
public final class AudioStream implements Iterable<AudioFrame>, AutoCloseable {

    /** The api package depends on the JDK only, so it logs through System.Logger, not SLF4J. */
    private static final System.Logger LOG = System.getLogger(AudioStream.class.getName());

    /** Default queue bound: 10 s of 10 ms frames. */
    public static final int DEFAULT_CAPACITY = 1000;

    private final RemoteAudioTrack track;
    private final int sampleRate;
    private final int channels;
    private final int samplesPerFrame;
    private final DropOldestQueue<AudioFrame> queue;
    private final AudioSink sink = new StreamSink();
    /** Touched by the audio thread only. */
    private Resampler resampler;
    private short[] pending;
    private int pendingSamples;

    private AudioStream(RemoteAudioTrack track, int sampleRate, int channels, int capacity) {
        if (sampleRate <= 0 || sampleRate % 100 != 0) {
            throw new IllegalArgumentException("sample rate must be a positive multiple of 100, got " + sampleRate);
        }
        if (channels < 1 || channels > 2) {
            throw new IllegalArgumentException("channels must be 1 or 2, got " + channels);
        }
        this.queue = new DropOldestQueue<>(capacity);
        this.track = track;
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.samplesPerFrame = sampleRate / 100 * channels;
        this.pending = new short[samplesPerFrame];
        track.addSink(sink);
    }

    /** The track's audio at 48 kHz mono. */
    public static AudioStream of(RemoteAudioTrack track) {
        return of(track, 48000, 1);
    }

    /** The track's audio converted to {@code sampleRate} (a multiple of 100) and {@code channels} (1 or 2). */
    public static AudioStream of(RemoteAudioTrack track, int sampleRate, int channels) {
        return new AudioStream(track, sampleRate, channels, DEFAULT_CAPACITY);
    }

    /** As {@link #of(RemoteAudioTrack, int, int)} with a queue of {@code capacityFrames} 10 ms frames. */
    public static AudioStream of(RemoteAudioTrack track, int sampleRate, int channels, int capacityFrames) {
        return new AudioStream(track, sampleRate, channels, capacityFrames);
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /** The next frame; blocks until one arrives. Null once the track ended or the stream was closed. */
    public AudioFrame read() throws InterruptedException {
        return queue.read();
    }

    /** The next frame, waiting at most {@code timeout}; null if none came in time or the stream ended. */
    public AudioFrame poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout);
    }

    /** True once the track ended or the stream was closed (queued frames may still be read). */
    public boolean isEnded() {
        return queue.isEnded();
    }

    /** Frames dropped because the reader fell more than the queue's capacity behind. */
    public long droppedFrames() {
        return queue.dropped();
    }

    /**
     * Iterates until the stream ends. {@code hasNext} blocks; an interrupt while it waits ends the
     * iteration and keeps the thread's interrupt flag set.
     */
    @Override
    public Iterator<AudioFrame> iterator() {
        return queue.iterator();
    }

    /** Detaches from the track; readers get the frames still queued, then null. */
    @Override
    public void close() {
        track.removeSink(sink);
        end();
    }

    private void end() {
        long total = queue.end();
        if (total > 0) {
            LOG.log(System.Logger.Level.WARNING, "audio stream of track {0} ({1}) ended having dropped {2} frame(s)"
                    + " ({3} ms of audio) because its reader fell behind", track.sid(), track.name(), total, total * 10);
        }
    }

    private void enqueue(AudioFrame frame) {
        if (queue.add(frame) == DropOldestQueue.Added.DROPPED_OLDEST_FIRST_TIME) {
            // Once per stream: a reader that stays behind would otherwise log a line every 10 ms.
            int capacity = queue.capacity();
            LOG.log(System.Logger.Level.WARNING, "audio stream of track {0} ({1}): the reader fell {2} frame(s)"
                    + " ({3} ms) behind; dropping the oldest frames from now on (count: droppedFrames(), total"
                    + " logged when the stream ends)", track.sid(), track.name(), capacity, capacity * 10);
        }
    }

    /** On the audio thread: convert, cut into 10 ms frames, queue. */
    private final class StreamSink implements AudioSink {
        @Override
        public void onFrame(AudioFrame frame) {
            if (resampler == null || resampler.inRate() != frame.sampleRate()) {
                resampler = new Resampler(frame.sampleRate(), sampleRate, frame.channels(), channels);
            }
            short[] converted = resampler.process(frame.data(), frame.samplesPerChannel());
            int offset = 0;
            while (offset < converted.length) {
                int n = Math.min(converted.length - offset, samplesPerFrame - pendingSamples);
                System.arraycopy(converted, offset, pending, pendingSamples, n);
                pendingSamples += n;
                offset += n;
                if (pendingSamples == samplesPerFrame) {
                    enqueue(new AudioFrame(pending, sampleRate, channels, samplesPerFrame / channels));
                    pending = new short[samplesPerFrame];
                    pendingSamples = 0;
                }
            }
        }

        @Override
        public void onEnded() {
            track.removeSink(this);
            end();
        }
    }

    @Override
    public String toString() {
        return "AudioStream[" + track.sid() + ", " + sampleRate + " Hz, " + channels + " ch]";
    }

}
