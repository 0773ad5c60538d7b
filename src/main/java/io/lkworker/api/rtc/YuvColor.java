package io.lkworker.api.rtc;

import java.util.function.IntUnaryOperator;

/**
 * RGB ↔ YUV with the BT.601 limited-range matrix in 8.8 fixed point (the coefficients of ITU-R
 * BT.601, scaled by 256), the colour space libwebrtc's VP8 path assumes for camera video.
 */
final class YuvColor {

    private YuvColor() {
    }

    static int argb(int y, int u, int v) {
        int c = y - 16;
        int d = u - 128;
        int e = v - 128;
        int r = clamp((298 * c + 409 * e + 128) >> 8);
        int g = clamp((298 * c - 100 * d - 208 * e + 128) >> 8);
        int b = clamp((298 * c + 516 * d + 128) >> 8);
        return 0xff000000 | r << 16 | g << 8 | b;
    }

    /** {@code rgbAt} gives pixel {@code i} (row-major) as {@code 0x..RRGGBB}; chroma is averaged over 2×2. */
    static VideoFrame toI420(int width, int height, IntUnaryOperator rgbAt, long timestampMicros) {
        int cw = VideoFrame.chromaWidth(width);
        int ch = VideoFrame.chromaHeight(height);
        byte[] y = new byte[width * height];
        byte[] u = new byte[cw * ch];
        byte[] v = new byte[cw * ch];
        for (int i = 0; i < width * height; i++) {
            int p = rgbAt.applyAsInt(i);
            int r = p >> 16 & 0xff;
            int g = p >> 8 & 0xff;
            int b = p & 0xff;
            y[i] = (byte) (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
        }
        for (int crow = 0; crow < ch; crow++) {
            for (int ccol = 0; ccol < cw; ccol++) {
                int r = 0;
                int g = 0;
                int b = 0;
                int n = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int row = crow * 2 + dy;
                        int col = ccol * 2 + dx;
                        if (row < height && col < width) {
                            int p = rgbAt.applyAsInt(row * width + col);
                            r += p >> 16 & 0xff;
                            g += p >> 8 & 0xff;
                            b += p & 0xff;
                            n++;
                        }
                    }
                }
                r /= n;
                g /= n;
                b /= n;
                u[crow * cw + ccol] = (byte) (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
                v[crow * cw + ccol] = (byte) (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
            }
        }
        return new VideoFrame(width, height, timestampMicros, 0, y, u, v);
    }

    private static int clamp(int x) {
        return x < 0 ? 0 : Math.min(x, 255);
    }
}
