package io.lkworker.talk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lkworker.api.rtc.AudioFrame;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code talk --wav} takes any PCM WAV, such as espeak-ng's 22050 Hz output. */
class WavFileTest {

    @TempDir
    Path dir;

    @Test
    void a22050HzFileIsResampledTo48kHzKeepingItsPitch() throws Exception {
        Path file = write(dir.resolve("espeak.wav"), 22050, 16, 1, 1.0, 500);
        WavFile wav = WavFile.read(file);
        assertThat(wav.sampleRate()).isEqualTo(48000);
        assertThat(wav.frames()).hasSize(100);
        short[] all = new short[48000];
        for (int i = 0; i < 100; i++) {
            System.arraycopy(wav.frames().get(i).data(), 0, all, i * 480, 480);
        }
        assertThat(Pitch.dominantFrequency(all, 48000)).isCloseTo(500, within(2.0));
    }

    @Test
    void eightBitPcmIsAcceptedToo() throws Exception {
        Path file = write(dir.resolve("8bit.wav"), 8000, 8, 1, 0.5, 300);
        WavFile wav = WavFile.read(file);
        assertThat(wav.sampleRate()).isEqualTo(8000);
        AudioFrame f = wav.frames().get(10);
        assertThat(Pitch.rms(f.data())).isGreaterThan(1000);
    }

    /** A sine of {@code hz} for {@code seconds}, written by Java Sound in the given format. */
    private static Path write(Path file, int rate, int bits, int channels, double seconds, double hz) throws Exception {
        int n = (int) (rate * seconds);
        int bytesPer = bits / 8;
        byte[] bytes = new byte[n * bytesPer * channels];
        for (int i = 0; i < n; i++) {
            double v = 0.3 * Math.sin(2 * Math.PI * hz * i / rate);
            for (int c = 0; c < channels; c++) {
                int at = (i * channels + c) * bytesPer;
                if (bits == 8) {
                    bytes[at] = (byte) (Math.round(v * 127) + 128);   // WAV 8-bit is unsigned
                } else {
                    short s = (short) Math.round(v * 32767);
                    bytes[at] = (byte) s;
                    bytes[at + 1] = (byte) (s >> 8);
                }
            }
        }
        AudioFormat format = new AudioFormat(bits == 8 ? AudioFormat.Encoding.PCM_UNSIGNED : AudioFormat.Encoding.PCM_SIGNED,
                rate, bits, channels, bytesPer * channels, rate, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes), format, n)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }
}
