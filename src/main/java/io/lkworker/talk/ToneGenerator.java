package io.lkworker.talk;

import io.lkworker.api.rtc.AudioFrame;

/** A sine tone as 10 ms frames, phase-continuous from one frame to the next. */
public final class ToneGenerator {

    private final double frequency;
    private final int sampleRate;
    private final int channels;
    private final double amplitude;
    private long sample;

    /** @param level peak amplitude as a fraction of full scale (0 … 1) */
    public ToneGenerator(double frequency, int sampleRate, int channels, double level) {
        if (frequency <= 0 || frequency >= sampleRate / 2.0) {
            throw new IllegalArgumentException("tone frequency must be in (0, " + sampleRate / 2 + ") Hz, got " + frequency);
        }
        this.frequency = frequency;
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.amplitude = Math.max(0, Math.min(1, level)) * Short.MAX_VALUE;
    }

    /** The next 10 ms. */
    public AudioFrame next() {
        int n = sampleRate / 100;
        short[] data = new short[n * channels];
        for (int i = 0; i < n; i++, sample++) {
            short v = (short) Math.round(amplitude * Math.sin(2 * Math.PI * frequency * sample / sampleRate));
            for (int c = 0; c < channels; c++) {
                data[i * channels + c] = v;
            }
        }
        return new AudioFrame(data, sampleRate, channels, n);
    }
}
