package io.lkworker.talk;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSink;
import java.util.ArrayDeque;

/**
 * Listens to a remote track for {@code talk}: when sound first arrived (relative to a reference
 * instant, our own first sound), and the dominant frequency and level of the last second. An
 * {@link AudioSink}: it runs on the audio thread and only copies.
 */
public final class EchoMeter implements AudioSink {

    /** A frame is "sound" above this RMS (about -40 dBFS). */
    private static final double SOUND_RMS = 330;

    private final ArrayDeque<short[]> lastSecond = new ArrayDeque<>();
    private int sampleRate = 48000;
    private volatile long firstSoundNanos;

    @Override
    public void onFrame(AudioFrame frame) {
        short[] mono = frame.channels() == 1 ? frame.data().clone() : downmix(frame);
        if (firstSoundNanos == 0 && Pitch.rms(mono) > SOUND_RMS) {
            firstSoundNanos = System.nanoTime();
        }
        synchronized (lastSecond) {
            sampleRate = frame.sampleRate();
            lastSecond.add(mono);
            while (lastSecond.size() > 100) {
                lastSecond.poll();
            }
        }
    }

    /** System.nanoTime() of the first frame with sound, or 0. */
    public long firstSoundNanos() {
        return firstSoundNanos;
    }

    /** The last second heard, mono. */
    public short[] recent() {
        synchronized (lastSecond) {
            int n = lastSecond.stream().mapToInt(a -> a.length).sum();
            short[] all = new short[n];
            int at = 0;
            for (short[] a : lastSecond) {
                System.arraycopy(a, 0, all, at, a.length);
                at += a.length;
            }
            return all;
        }
    }

    public int sampleRate() {
        synchronized (lastSecond) {
            return sampleRate;
        }
    }

    /** Level in dBFS (full scale = 0). */
    public static double dbfs(double rms) {
        return rms <= 0 ? Double.NEGATIVE_INFINITY : 20 * Math.log10(rms / 32768.0);
    }

    private static short[] downmix(AudioFrame f) {
        short[] out = new short[f.samplesPerChannel()];
        for (int i = 0; i < out.length; i++) {
            int sum = 0;
            for (int c = 0; c < f.channels(); c++) {
                sum += f.data()[i * f.channels() + c];
            }
            out[i] = (short) (sum / f.channels());
        }
        return out;
    }
}
