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

/** A WAV file as 10 ms frames: 16-bit PCM, mono or stereo, at a sample rate that is a multiple of 100. */
public final class WavFile {

    private final List<AudioFrame> frames;
    private final int sampleRate;
    private final int channels;

    private WavFile(List<AudioFrame> frames, int sampleRate, int channels) {
        this.frames = frames;
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    /** Reads {@code file}; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static WavFile read(Path file) throws IOException {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            AudioFormat f = in.getFormat();
            int rate = Math.round(f.getSampleRate());
            if (f.getEncoding() != AudioFormat.Encoding.PCM_SIGNED || f.getSampleSizeInBits() != 16) {
                throw new IllegalArgumentException(file + ": must be 16-bit signed PCM, is " + f);
            }
            if (f.getChannels() < 1 || f.getChannels() > 2 || rate % 100 != 0) {
                throw new IllegalArgumentException(file + ": must be mono or stereo at a sample rate divisible by 100"
                        + " (8000, 16000, 44100, 48000, ...), is " + f);
            }
            byte[] bytes = in.readAllBytes();
            int ch = f.getChannels();
            int perFrame = rate / 100;
            int total = bytes.length / 2 / ch;
            List<AudioFrame> frames = new ArrayList<>();
            for (int start = 0; start + perFrame <= total; start += perFrame) {
                short[] data = new short[perFrame * ch];
                for (int i = 0; i < data.length; i++) {
                    int at = (start * ch + i) * 2;
                    data[i] = f.isBigEndian() ? (short) ((bytes[at] << 8) | (bytes[at + 1] & 0xff))
                            : (short) ((bytes[at + 1] << 8) | (bytes[at] & 0xff));
                }
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
