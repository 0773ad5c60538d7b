package io.lkworker.testing;

import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A test picture that changes over time: a white vertical bar, an eighth of the width, moving right
 * by {@link #STEP} pixels a frame over a dark background; and the reverse, finding the bar in a
 * received (lossily coded) frame by the brightest column band.
 */
public final class MovingBar {

    public static final int STEP = 8;
    private static final byte DARK = 32;
    private static final byte BRIGHT = (byte) 235;

    private MovingBar() {
    }

    /** Frame {@code n}: the bar's left edge at {@code (n * STEP) mod (width - barWidth)}. */
    public static VideoFrame frame(int width, int height, long n, long timestampMicros) {
        int bar = Math.max(2, width / 8);
        int left = barLeft(width, n);
        byte[] y = new byte[width * height];
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                y[row * width + col] = col >= left && col < left + bar ? BRIGHT : DARK;
            }
        }
        int chroma = VideoFrame.chromaWidth(width) * VideoFrame.chromaHeight(height);
        byte[] u = new byte[chroma];
        byte[] v = new byte[chroma];
        java.util.Arrays.fill(u, (byte) 128);
        java.util.Arrays.fill(v, (byte) 128);
        return VideoFrame.ofI420(width, height, y, u, v, timestampMicros);
    }

    public static int barLeft(int width, long n) {
        int bar = Math.max(2, width / 8);
        return (int) ((n * STEP) % (width - bar));
    }

    /** The left edge of the brightest band a bar's width wide in {@code frame}'s luma, or -1 if none stands out. */
    public static int findBar(VideoFrame frame) {
        int w = frame.width();
        int h = frame.height();
        int bar = Math.max(2, w / 8);
        long[] columns = new long[w];
        byte[] y = frame.y();
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                columns[col] += y[row * w + col] & 0xff;
            }
        }
        long best = -1;
        long worst = Long.MAX_VALUE;
        int bestLeft = -1;
        for (int left = 0; left + bar <= w; left++) {
            long sum = 0;
            for (int c = left; c < left + bar; c++) {
                sum += columns[c];
            }
            if (sum > best) {
                best = sum;
                bestLeft = left;
            }
            worst = Math.min(worst, sum);
        }
        // Mean luma of the band against the darkest band: a bar is ~200 levels brighter; 100 tolerates coding.
        return (best - worst) / ((long) bar * h) > 100 ? bestLeft : -1;
    }

    /**
     * Frame {@code n} with fresh noise of ±{@code amplitude} on every luma sample: content an encoder
     * cannot predict from the previous frame, the expensive end of what a camera gives.
     */
    public static VideoFrame noisyFrame(int width, int height, long n, long timestampMicros, int amplitude,
                                        java.util.SplittableRandom random) {
        VideoFrame clean = frame(width, height, n, timestampMicros);
        byte[] y = clean.y();
        for (int i = 0; i < y.length; i++) {
            int v = (y[i] & 0xff) + random.nextInt(-amplitude, amplitude + 1);
            y[i] = (byte) Math.max(16, Math.min(235, v));
        }
        return clean;
    }

    /**
     * Captures frames into {@code source} at {@code fps} on a daemon thread until interrupted; the
     * count of frames made is in {@code made}. Pacing, not synchronisation: a camera's clock.
     */
    public static Thread play(VideoSource source, int fps, AtomicLong made) {
        return play(source, fps, made, 0);
    }

    /** As {@link #play(VideoSource, int, AtomicLong)}, with luma noise of ±{@code noise} (0: none). */
    public static Thread play(VideoSource source, int fps, AtomicLong made, int noise) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        Thread t = new Thread(() -> {
            long period = TimeUnit.SECONDS.toNanos(1) / fps;
            long next = System.nanoTime();
            for (long n = 0; !Thread.currentThread().isInterrupted(); n++) {
                try {
                    long now = System.nanoTime() / 1000;
                    source.captureFrame(noise > 0 ? noisyFrame(source.width(), source.height(), n, now, noise, random)
                            : frame(source.width(), source.height(), n, now));
                } catch (IllegalStateException closed) {
                    return;
                }
                made.incrementAndGet();
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }, "moving-bar");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
