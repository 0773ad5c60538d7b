package io.lkworker.api.rtc;

import java.util.Objects;

/**
 * One video frame in I420 (YUV 4:2:0, 8 bits): a full-resolution luma plane and two chroma planes of
 * {@code ceil(width/2) × ceil(height/2)}, each tightly packed (stride = plane width). The planes are
 * Java arrays copied out of native memory, so a frame may be kept and read on any thread. Treat the
 * arrays as read-only: the frame does not copy them again on the way out.
 *
 * <p>{@link #toArgb()} and {@link #toRgba()} convert with the BT.601 limited-range matrix, what
 * libwebrtc's encoders and decoders assume for camera video; {@link #fromArgb} and {@link #fromRgba}
 * are the reverse, for agents that draw with {@code java.awt} or read images.
 *
 * @param width           in pixels, 1..{@value #MAX_DIMENSION}
 * @param height          in pixels, 1..{@value #MAX_DIMENSION}
 * @param timestampMicros when the frame was captured (received frames: libwebrtc's render time, µs)
 * @param rotation        clockwise degrees the frame must be turned to be shown upright: 0, 90, 180, 270
 */
public record VideoFrame(int width, int height, long timestampMicros, int rotation, byte[] y, byte[] u, byte[] v) {

    /**
     * Larger than any camera or screen LiveKit's clients publish (4K is 3840×2160); a bound so that a
     * bad size fails here, with its numbers, rather than as an allocation of gigabytes.
     */
    public static final int MAX_DIMENSION = 4096;

    public VideoFrame {
        if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("video frame size " + width + "x" + height + " is out of range 1.."
                    + MAX_DIMENSION);
        }
        if (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270) {
            throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270 degrees, got " + rotation);
        }
        Objects.requireNonNull(y, "y");
        Objects.requireNonNull(u, "u");
        Objects.requireNonNull(v, "v");
        int cw = chromaWidth(width);
        int ch = chromaHeight(height);
        if (y.length != width * height || u.length != cw * ch || v.length != cw * ch) {
            throw new IllegalArgumentException("I420 planes of a " + width + "x" + height + " frame must be "
                    + width * height + ", " + cw * ch + " and " + cw * ch + " bytes, got " + y.length + ", "
                    + u.length + " and " + v.length);
        }
    }

    /** A frame from I420 planes (tightly packed; see the class comment for their sizes). */
    public static VideoFrame ofI420(int width, int height, byte[] y, byte[] u, byte[] v, long timestampMicros) {
        return new VideoFrame(width, height, timestampMicros, 0, y, u, v);
    }

    /** Width of the U and V planes. */
    public static int chromaWidth(int width) {
        return (width + 1) / 2;
    }

    /** Height of the U and V planes. */
    public static int chromaHeight(int height) {
        return (height + 1) / 2;
    }

    /** The pixels as {@code 0xAARRGGBB} ints, row by row (what {@code BufferedImage.TYPE_INT_ARGB} holds). */
    public int[] toArgb() {
        int[] out = new int[width * height];
        int cw = chromaWidth(width);
        for (int row = 0; row < height; row++) {
            int crow = (row >> 1) * cw;
            for (int col = 0; col < width; col++) {
                int c = crow + (col >> 1);
                out[row * width + col] = YuvColor.argb(y[row * width + col] & 0xff, u[c] & 0xff, v[c] & 0xff);
            }
        }
        return out;
    }

    /** The pixels as bytes R, G, B, A (A = 255), row by row: what image libraries call RGBA8888. */
    public byte[] toRgba() {
        int[] argb = toArgb();
        byte[] out = new byte[argb.length * 4];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out[i * 4] = (byte) (p >> 16);
            out[i * 4 + 1] = (byte) (p >> 8);
            out[i * 4 + 2] = (byte) p;
            out[i * 4 + 3] = (byte) 0xff;
        }
        return out;
    }

    /** A frame from {@code 0xAARRGGBB} pixels, row by row (alpha is ignored). */
    public static VideoFrame fromArgb(int width, int height, int[] argb, long timestampMicros) {
        Objects.requireNonNull(argb, "argb");
        if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("video frame size " + width + "x" + height + " is out of range 1.."
                    + MAX_DIMENSION);
        }
        if (argb.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " frame has " + width * height
                    + " pixels, got " + argb.length);
        }
        return YuvColor.toI420(width, height, i -> argb[i], timestampMicros);
    }

    /** A frame from bytes R, G, B, A per pixel, row by row (alpha is ignored). */
    public static VideoFrame fromRgba(int width, int height, byte[] rgba, long timestampMicros) {
        Objects.requireNonNull(rgba, "rgba");
        if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("video frame size " + width + "x" + height + " is out of range 1.."
                    + MAX_DIMENSION);
        }
        if (rgba.length != width * height * 4) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGBA frame is " + width * height * 4
                    + " bytes, got " + rgba.length);
        }
        return YuvColor.toI420(width, height,
                i -> (rgba[i * 4] & 0xff) << 16 | (rgba[i * 4 + 1] & 0xff) << 8 | (rgba[i * 4 + 2] & 0xff),
                timestampMicros);
    }

    @Override
    public String toString() {
        return "VideoFrame[" + width + "x" + height + ", " + timestampMicros + " us, " + rotation + " deg]";
    }
}
