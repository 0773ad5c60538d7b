package io.lkworker.console;

import io.lkworker.api.rtc.AudioFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes 16-bit PCM frames to a WAV file as they come. The RIFF and data chunk sizes are only
 * known at the end, so the header is written with zero sizes first and patched by {@link #close}
 * (layout: the canonical 44-byte RIFF/WAVE header with one {@code fmt } and one {@code data} chunk,
 * as in Microsoft's RIFF specification and {@code javax.sound.sampled}'s WaveFileWriter).
 */
final class WavRecorder implements AutoCloseable {

    private static final int HEADER_BYTES = 44;

    private final FileChannel file;
    private final int sampleRate;
    private final int channels;
    private long dataBytes;
    private boolean closed;

    /** Creates (or truncates) {@code path}; throws if it cannot be written. */
    WavRecorder(Path path, int sampleRate, int channels) throws IOException {
        this.sampleRate = sampleRate;
        this.channels = channels;
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            writeFully(header(0), 0);
        } catch (IOException e) {
            file.close();
            throw e;
        }
    }

    /** Appends one frame; it must have this recording's rate and channel count. */
    synchronized void write(AudioFrame frame) throws IOException {
        if (closed) {
            return;
        }
        if (frame.sampleRate() != sampleRate || frame.channels() != channels) {
            throw new IllegalArgumentException("frame " + frame + " does not match " + sampleRate + " Hz x " + channels);
        }
        ByteBuffer bytes = ByteBuffer.allocate(frame.data().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : frame.data()) {
            bytes.putShort(s);
        }
        bytes.flip();
        writeFully(bytes, HEADER_BYTES + dataBytes);
        dataBytes += frame.data().length * 2L;
    }

    /** How many bytes of audio were written so far. */
    synchronized long dataBytes() {
        return dataBytes;
    }

    /** Patches the sizes into the header and closes the file. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writeFully(header(dataBytes), 0);
        } finally {
            file.close();
        }
    }

    private ByteBuffer header(long data) {
        int blockAlign = channels * 2;
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(new byte[] {'R', 'I', 'F', 'F'}).putInt((int) (36 + data)).put(new byte[] {'W', 'A', 'V', 'E'});
        h.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) channels)
                .putInt(sampleRate).putInt(sampleRate * blockAlign).putShort((short) blockAlign).putShort((short) 16);
        h.put(new byte[] {'d', 'a', 't', 'a'}).putInt((int) data);
        return h.flip();
    }

    private void writeFully(ByteBuffer bytes, long position) throws IOException {
        while (bytes.hasRemaining()) {
            position += file.write(bytes, position);
        }
    }
}
