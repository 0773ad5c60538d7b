package io.lkworker.api.rtc;

import java.time.Duration;
import java.util.Objects;

/**
 * A block of 16-bit PCM audio, channels interleaved.
 *
 * @param data the samples: {@code samplesPerChannel * channels} of them
 * @param sampleRate samples per second per channel
 * @param channels 1 (mono) or more (interleaved)
 * @param samplesPerChannel samples per channel in this frame (480 for 10 ms at 48 kHz)
 */
public record AudioFrame(short[] data, int sampleRate, int channels, int samplesPerChannel) {

    public AudioFrame {
        Objects.requireNonNull(data, "data");
        if (sampleRate <= 0 || channels <= 0 || samplesPerChannel < 0) {
            throw new IllegalArgumentException("invalid audio frame: " + sampleRate + " Hz, " + channels
                    + " channels, " + samplesPerChannel + " samples per channel");
        }
        if (data.length < samplesPerChannel * channels) {
            throw new IllegalArgumentException("audio frame holds " + data.length + " samples, needs "
                    + samplesPerChannel * channels);
        }
    }

    /** A frame of silence. */
    public static AudioFrame silence(int sampleRate, int channels, int samplesPerChannel) {
        return new AudioFrame(new short[samplesPerChannel * channels], sampleRate, channels, samplesPerChannel);
    }

    public Duration duration() {
        return Duration.ofNanos(samplesPerChannel * 1_000_000_000L / sampleRate);
    }

    @Override
    public String toString() {
        return "AudioFrame[" + sampleRate + " Hz, " + channels + " ch, " + samplesPerChannel + " samples]";
    }
}
