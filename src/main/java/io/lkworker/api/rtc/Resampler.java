package io.lkworker.api.rtc;

/**
 * Streaming sample-rate and channel conversion of 16-bit PCM for {@link AudioStream}: channels are
 * mixed first (average down, duplicate up), then each channel goes through a windowed-sinc
 * low-pass interpolator (8 zero crossings a side, Blackman window, cutoff just under the lower
 * Nyquist frequency), with one precomputed filter per phase of the rate ratio. Latency: the
 * filter's half width, under 1 ms.
 */
final class Resampler {

    private static final int ZERO_CROSSINGS = 8;
    /** Phase tables are precomputed up to this many phases (rates with a large common divisor); beyond, per sample. */
    private static final int MAX_TABLE_PHASES = 1024;

    private final int inRate;
    private final int outRate;
    private final int inChannels;
    private final int outChannels;
    private final boolean sameRate;
    private final int phases;    // outRate / gcd
    private final int inUnits;   // inRate / gcd
    private final int halfWidth;
    private final double cutoff;
    private final float[][] table;
    private final float[][] history;   // per out channel: buffered input samples
    private int buffered;               // samples per channel in history
    private long historyStart;          // absolute input index of history[c][0]
    private long nextOut;               // absolute index of the next output sample

    Resampler(int inRate, int outRate, int inChannels, int outChannels) {
        this.inRate = inRate;
        this.outRate = outRate;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.sameRate = inRate == outRate;
        int g = gcd(inRate, outRate);
        this.phases = outRate / g;
        this.inUnits = inRate / g;
        this.cutoff = Math.min(1.0, (double) outRate / inRate) * 0.94;
        this.halfWidth = (int) Math.ceil(ZERO_CROSSINGS / cutoff);
        this.table = sameRate || phases > MAX_TABLE_PHASES ? null : buildTable();
        this.history = new float[outChannels][Math.max(4096, 4 * halfWidth)];
        // Start with half a window of silence before the first sample, so output begins at once.
        this.historyStart = -halfWidth;
        this.buffered = halfWidth;
    }

    /** Converts {@code frames} frames of interleaved input; returns the interleaved output produced so far. */
    short[] process(short[] in, int frames) {
        if (sameRate) {
            short[] out = new short[frames * outChannels];
            for (int f = 0; f < frames; f++) {
                for (int c = 0; c < outChannels; c++) {
                    out[f * outChannels + c] = (short) Math.round(mix(in, f, c));
                }
            }
            return out;
        }
        append(in, frames);
        int available = countReady();
        short[] out = new short[available * outChannels];
        for (int k = 0; k < available; k++, nextOut++) {
            long num = nextOut * inUnits;           // position in input samples = num / phases
            long base = Math.floorDiv(num, phases);
            int phase = (int) Math.floorMod(num, phases);
            for (int c = 0; c < outChannels; c++) {
                out[k * outChannels + c] = clamp(convolve(c, base, phase));
            }
        }
        trim();
        return out;
    }

    private void append(short[] in, int frames) {
        if (buffered + frames > history[0].length) {
            int size = Math.max(history[0].length * 2, buffered + frames);
            for (int c = 0; c < outChannels; c++) {
                history[c] = java.util.Arrays.copyOf(history[c], size);
            }
        }
        for (int f = 0; f < frames; f++) {
            for (int c = 0; c < outChannels; c++) {
                history[c][buffered + f] = mix(in, f, c);
            }
        }
        buffered += frames;
    }

    /** Output samples whose window lies entirely inside the buffered input. */
    private int countReady() {
        long lastInput = historyStart + buffered - 1;
        int n = 0;
        long o = nextOut;
        while (Math.floorDiv(o * inUnits, phases) + halfWidth <= lastInput) {
            n++;
            o++;
        }
        return n;
    }

    private double convolve(int c, long base, int phase) {
        float[] h = history[c];
        double sum = 0;
        int offset = (int) (base - historyStart);
        if (table != null) {
            float[] w = table[phase];
            for (int k = -halfWidth + 1, j = 0; k <= halfWidth; k++, j++) {
                sum += h[offset + k] * w[j];
            }
        } else {
            double frac = (double) phase / phases;
            for (int k = -halfWidth + 1; k <= halfWidth; k++) {
                sum += h[offset + k] * weight(k - frac);
            }
        }
        return sum;
    }

    /** Drops input no future output needs. */
    private void trim() {
        long needed = Math.floorDiv(nextOut * inUnits, phases) - halfWidth + 1;
        int drop = (int) Math.max(0, Math.min(buffered, needed - historyStart));
        if (drop > 0) {
            for (int c = 0; c < outChannels; c++) {
                System.arraycopy(history[c], drop, history[c], 0, buffered - drop);
            }
            buffered -= drop;
            historyStart += drop;
        }
    }

    private float[][] buildTable() {
        float[][] t = new float[phases][2 * halfWidth];
        for (int p = 0; p < phases; p++) {
            double frac = (double) p / phases;
            for (int k = -halfWidth + 1, j = 0; k <= halfWidth; k++, j++) {
                t[p][j] = (float) weight(k - frac);
            }
        }
        return t;
    }

    /** The low-pass kernel at {@code x} input samples from the output point. */
    private double weight(double x) {
        double ax = Math.abs(x);
        if (ax >= halfWidth) {
            return 0;
        }
        double sinc = ax < 1e-9 ? 1 : Math.sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
        double n = (x + halfWidth) / (2.0 * halfWidth);
        double window = 0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n);
        return cutoff * sinc * window;
    }

    /** Input frame {@code f} as output channel {@code c}. */
    private float mix(short[] in, int f, int c) {
        if (inChannels == outChannels) {
            return in[f * inChannels + c];
        }
        if (outChannels == 1) {
            int sum = 0;
            for (int i = 0; i < inChannels; i++) {
                sum += in[f * inChannels + i];
            }
            return (float) sum / inChannels;
        }
        return in[f * inChannels + (c % inChannels)];
    }

    private static short clamp(double v) {
        long r = Math.round(v);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    int inRate() {
        return inRate;
    }

    int outRate() {
        return outRate;
    }
}
