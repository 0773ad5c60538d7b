package io.lkworker.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sine tone as a 16-bit PCM mono WAV file (for Chromium's fake microphone). */
final class ToneWav {

    private ToneWav() {
    }

    /**
     * Writes {@code seconds} of a {@code frequency} Hz sine at {@code amplitude} (0..1) full scale. With a
     * whole number of periods in the file ({@code frequency * seconds} an integer) it loops without a click.
     */
    static Path write(Path file, double frequency, int sampleRate, double seconds, double amplitude) throws IOException {
        int samples = (int) Math.round(sampleRate * seconds);
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
                .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1)            // PCM
                .putShort((short) 1)            // mono
                .putInt(sampleRate)
                .putInt(sampleRate * 2)         // byte rate
                .putShort((short) 2)            // block align
                .putShort((short) 16);          // bits per sample
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * frequency * i / sampleRate)));
        }
        return Files.write(file, b.array());
    }
}
