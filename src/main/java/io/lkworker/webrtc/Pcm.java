package io.lkworker.webrtc;

/** 16-bit PCM between Java's {@code short[]} and libwebrtc's little-endian bytes. */
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
}
