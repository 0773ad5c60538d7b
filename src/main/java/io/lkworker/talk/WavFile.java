package io.lkworker.talk;

import io.lkworker.api.rtc.AudioFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** A WAV file as 10 ms frames of 16-bit PCM, mono or stereo, at a sample rate that is a multiple of 100. */
public final class WavFile {

    private static final int TARGET_RATE = 48000;

    private final List<AudioFrame> frames;
    private final int sampleRate;
    private final int channels;

    private WavFile(List<AudioFrame> frames, int sampleRate, int channels) {
        this.frames = frames;
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    /**
     * Reads {@code file}; throws {@link IllegalArgumentException} saying what is wrong with it. Any PCM
     * encoding Java Sound can convert (8, 16, 24, 32 bit, signed or not) becomes 16-bit signed; a rate
     * that does not divide into 10 ms frames (espeak-ng writes 22050 Hz) is resampled to 48 kHz.
     */
    public static WavFile read(Path file) throws IOException {
        try (AudioInputStream raw = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = raw.getFormat();
            if (f.getChannels() < 1 || f.getChannels() > 2) {
                throw new IllegalArgumentException(file + ": must be mono or stereo, is " + f);
            }
            boolean pcm = f.getEncoding() == AudioFormat.Encoding.PCM_SIGNED
                    || f.getEncoding() == AudioFormat.Encoding.PCM_UNSIGNED
                    || f.getEncoding() == AudioFormat.Encoding.PCM_FLOAT;
            AudioFormat target = new AudioFormat(f.getSampleRate(), 16, f.getChannels(), true, false);
            if (!pcm || !AudioSystem.isConversionSupported(target, f)) {
                throw new IllegalArgumentException(file + ": must be PCM audio, is " + f);
            }
            int ch = f.getChannels();
            short[] samples;
            try (AudioInputStream in = f.matches(target) ? raw : AudioSystem.getAudioInputStream(target, raw)) {
                byte[] bytes = in.readAllBytes();
                samples = new short[bytes.length / 2 / ch * ch];
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = (short) ((bytes[2 * i + 1] << 8) | (bytes[2 * i] & 0xff));
                }
            }
            int rate = Math.round(f.getSampleRate());
            if (rate <= 0) {
                throw new IllegalArgumentException(file + ": has no sample rate, is " + f);
            }
            if (rate % 100 != 0) {
                samples = resample(samples, ch, rate, TARGET_RATE);
                rate = TARGET_RATE;
            }
            int perFrame = rate / 100;
            int total = samples.length / ch;
            List<AudioFrame> frames = new ArrayList<>();
            for (int start = 0; start + perFrame <= total; start += perFrame) {
                short[] data = new short[perFrame * ch];
                System.arraycopy(samples, start * ch, data, 0, data.length);
                frames.add(new AudioFrame(data, rate, ch, perFrame));
            }
            if (frames.isEmpty()) {
                throw new IllegalArgumentException(file + ": holds less than 10 ms of audio");
            }
            return new WavFile(frames, rate, ch);
        } catch (UnsupportedAudioFileException e) {
            throw new IllegalArgumentException(file + ": not a WAV file Java can read (" + e.getMessage() + ")");
        }
    }

    /**
     * Linear interpolation to {@code to} Hz. Upsampling (the common case: speech synthesizers write
     * 16 or 22.05 kHz) adds no aliasing; for a test signal played to an agent that is good enough.
     */
    static short[] resample(short[] in, int channels, int from, int to) {
        int inFrames = in.length / channels;
        int outFrames = (int) ((long) inFrames * to / from);
        short[] out = new short[outFrames * channels];
        for (int i = 0; i < outFrames; i++) {
            double pos = (double) i * from / to;
            int i0 = (int) pos;
            int i1 = Math.min(i0 + 1, inFrames - 1);
            double t = pos - i0;
            for (int c = 0; c < channels; c++) {
                double v = in[i0 * channels + c] * (1 - t) + in[i1 * channels + c] * t;
                out[i * channels + c] = (short) Math.round(v);
            }
        }
        return out;
    }

    public List<AudioFrame> frames() {
        return frames;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }
}
