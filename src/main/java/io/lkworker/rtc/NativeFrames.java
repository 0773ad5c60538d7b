package io.lkworker.rtc;

import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import io.lkworker.api.rtc.VideoFrame;
import java.nio.ByteBuffer;

/**
 * Copies between the API's {@link VideoFrame} (tightly packed Java arrays) and libwebrtc's I420
 * buffers (native memory, rows padded to a stride). Any thread; the native buffer must stay alive
 * for the call (inside the sink callback that received it, or before it is released).
 */
final class NativeFrames {

    private NativeFrames() {
    }

    /** A Java copy of {@code buffer}'s picture. */
    static VideoFrame copyOut(I420Buffer buffer, int rotation, long timestampMicros) {
        int w = buffer.getWidth();
        int h = buffer.getHeight();
        int cw = VideoFrame.chromaWidth(w);
        int ch = VideoFrame.chromaHeight(h);
        byte[] y = plane(buffer.getDataY(), buffer.getStrideY(), w, h);
        byte[] u = plane(buffer.getDataU(), buffer.getStrideU(), cw, ch);
        byte[] v = plane(buffer.getDataV(), buffer.getStrideV(), cw, ch);
        return new VideoFrame(w, h, timestampMicros, rotation, y, u, v);
    }

    /** A new native buffer holding {@code frame}'s picture; the caller releases it. */
    static NativeI420Buffer copyIn(VideoFrame frame) {
        NativeI420Buffer buffer = NativeI420Buffer.allocate(frame.width(), frame.height());
        try {
            int cw = VideoFrame.chromaWidth(frame.width());
            int ch = VideoFrame.chromaHeight(frame.height());
            fill(buffer.getDataY(), buffer.getStrideY(), frame.y(), frame.width(), frame.height());
            fill(buffer.getDataU(), buffer.getStrideU(), frame.u(), cw, ch);
            fill(buffer.getDataV(), buffer.getStrideV(), frame.v(), cw, ch);
            return buffer;
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    private static byte[] plane(ByteBuffer data, int stride, int width, int height) {
        if (stride < width || (long) stride * (height - 1) + width > data.capacity()) {
            throw new IllegalArgumentException("plane of " + width + "x" + height + " does not fit stride " + stride
                    + " and " + data.capacity() + " bytes");
        }
        byte[] out = new byte[width * height];
        if (stride == width) {
            data.get(0, out, 0, out.length);
        } else {
            for (int row = 0; row < height; row++) {
                data.get(row * stride, out, row * width, width);
            }
        }
        return out;
    }

    private static void fill(ByteBuffer data, int stride, byte[] src, int width, int height) {
        if (stride == width) {
            data.put(0, src, 0, width * height);
        } else {
            for (int row = 0; row < height; row++) {
                data.put(row * stride, src, row * width, width);
            }
        }
    }
}
