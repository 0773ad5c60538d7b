package io.lkworker.talk;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Listens to a remote track for {@code talk} and keeps all of it (mono), so the report covers the
 * whole session: an agent that beeps on joining and then listens has answered, even though the last
 * second is silent. An {@link AudioSink}: it runs on the audio thread and only copies.
 */
public final class EchoMeter implements AudioSink {

    /** A frame is "sound" above this RMS (about -40 dBFS). */
    static final double SOUND_RMS = 330;
    /** Pauses shorter than this do not split a stretch of sound (speech has short gaps between words). */
    private static final int MERGE_GAP_FRAMES = 30;
    /** The pitch of a stretch is judged on at most this much of its middle, so a long stretch stays cheap. */
    private static final double PITCH_WINDOW_SECONDS = 1.0;

    /** One stretch of sound: start relative to the reference instant, length, level, dominant frequency. */
    public record Heard(long startMillis, long durationMillis, double dbfs, double hz) {
    }

    private final long referenceNanos;
    private final List<short[]> frames = new ArrayList<>();
    private final List<Long> frameNanos = new ArrayList<>();
    private int sampleRate = 48000;
    private volatile long firstSoundNanos;

    /** {@code referenceNanos}: System.nanoTime() that times in the report are relative to. */
    public EchoMeter(long referenceNanos) {
        this.referenceNanos = referenceNanos;
    }

    @Override
    public void onFrame(AudioFrame frame) {
        onFrame(frame, System.nanoTime());
    }

    /** As {@link #onFrame(AudioFrame)}, with the arrival time given (tests). */
    public void onFrame(AudioFrame frame, long nanos) {
        short[] mono = frame.channels() == 1 ? frame.data().clone() : downmix(frame);
        if (firstSoundNanos == 0 && Pitch.rms(mono) > SOUND_RMS) {
            firstSoundNanos = nanos;
        }
        synchronized (frames) {
            sampleRate = frame.sampleRate();
            frames.add(mono);
            frameNanos.add(nanos);
        }
    }

    /** System.nanoTime() of the first frame with sound, or 0. */
    public long firstSoundNanos() {
        return firstSoundNanos;
    }

    public int sampleRate() {
        synchronized (frames) {
            return sampleRate;
        }
    }

    /** The stretches of sound heard over the whole session, in order. */
    public List<Heard> heard() {
        List<short[]> all;
        List<Long> times;
        int rate;
        synchronized (frames) {
            all = new ArrayList<>(frames);
            times = new ArrayList<>(frameNanos);
            rate = sampleRate;
        }
        List<Heard> result = new ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            if (Pitch.rms(all.get(i)) <= SOUND_RMS) {
                i++;
                continue;
            }
            int start = i;
            int lastLoud = i;
            for (int j = i + 1; j < all.size() && j - lastLoud <= MERGE_GAP_FRAMES; j++) {
                if (Pitch.rms(all.get(j)) > SOUND_RMS) {
                    lastLoud = j;
                }
            }
            result.add(stretch(all.subList(start, lastLoud + 1), times.get(start), rate));
            i = lastLoud + 1;
        }
        return result;
    }

    private Heard stretch(List<short[]> part, long startNanos, int rate) {
        short[] samples = concat(part);
        int window = (int) Math.min(samples.length, rate * PITCH_WINDOW_SECONDS);
        int from = (samples.length - window) / 2;
        short[] middle = java.util.Arrays.copyOfRange(samples, from, from + window);
        return new Heard((startNanos - referenceNanos) / 1_000_000, samples.length * 1000L / rate,
                dbfs(Pitch.rms(samples)), Pitch.dominantFrequency(middle, rate));
    }

    /** Writes everything heard to {@code file} as a mono 16-bit WAV. */
    public void writeWav(Path file) throws IOException {
        short[] samples;
        int rate;
        synchronized (frames) {
            samples = concat(frames);
            rate = sampleRate;
        }
        byte[] bytes = new byte[samples.length * 2];
        for (int i = 0; i < samples.length; i++) {
            bytes[2 * i] = (byte) samples[i];
            bytes[2 * i + 1] = (byte) (samples[i] >> 8);
        }
        AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes), format, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
    }

    /** Level in dBFS (full scale = 0). */
    public static double dbfs(double rms) {
        return rms <= 0 ? Double.NEGATIVE_INFINITY : 20 * Math.log10(rms / 32768.0);
    }

    private static short[] concat(List<short[]> parts) {
        int n = parts.stream().mapToInt(a -> a.length).sum();
        short[] all = new short[n];
        int at = 0;
        for (short[] a : parts) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        return all;
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
