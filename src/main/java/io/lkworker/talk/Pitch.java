package io.lkworker.talk;

/**
 * The dominant frequency and the level of a block of 16-bit PCM: a Hann-windowed Goertzel scan over
 * the voice band (60 Hz to 4 kHz), refined around the peak. Enough to tell a test tone from silence
 * or noise; not a speech pitch tracker.
 */
public final class Pitch {

    private static final double LOW_HZ = 60;
    private static final double HIGH_HZ = 4000;

    private Pitch() {
    }

    /** Frequency with the most energy, in Hz; 0 for silence. */
    public static double dominantFrequency(short[] samples, int sampleRate) {
        if (samples.length < 64 || rms(samples) < 1) {
            return 0;
        }
        double[] x = windowed(samples);
        double best = 0;
        double bestPower = -1;
        for (double f = LOW_HZ; f <= HIGH_HZ; f += 5) {
            double p = power(x, f, sampleRate);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        for (double f = best - 5; f <= best + 5; f += 0.25) {
            double p = power(x, f, sampleRate);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    /** Root mean square of the samples (0 … 32767). */
    public static double rms(short[] samples) {
        return io.lkworker.webrtc.Pcm.rms(samples);
    }

    private static double[] windowed(short[] samples) {
        double[] x = new double[samples.length];
        for (int i = 0; i < samples.length; i++) {
            x[i] = samples[i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (samples.length - 1)));
        }
        return x;
    }

    private static double power(double[] x, double frequency, int sampleRate) {
        double w = 2 * Math.PI * frequency / sampleRate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (double v : x) {
            double s0 = v + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - coeff * s1 * s2;
    }
}
