package io.lkworker.webrtc;

/** 16-bit PCM between Java's {@code short[]} and libwebrtc's little-endian bytes, and its level. */
public final class Pcm {

    private Pcm() {
    }

    public static void toLittleEndian(short[] samples, byte[] into) {
        for (int i = 0, j = 0; i < samples.length; i++, j += 2) {
            short s = samples[i];
            into[j] = (byte) s;
            into[j + 1] = (byte) (s >> 8);
        }
    }

    public static short[] fromLittleEndian(byte[] bytes, int samples) {
        short[] out = new short[samples];
        for (int i = 0, j = 0; i < samples; i++, j += 2) {
            out[i] = (short) ((bytes[j] & 0xff) | (bytes[j + 1] << 8));
        }
        return out;
    }

    /** Root mean square of the samples (0 … 32767); 0 for none. */
    public static double rms(short[] samples) {
        if (samples.length == 0) {
            return 0;
        }
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / samples.length);
    }
}
