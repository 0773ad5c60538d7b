package io.lkworker.api.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link VideoStream}'s bound and ending, and {@link VideoFrame}'s checks and colour conversions,
 * on a track that is only its sinks (no WebRTC: the room tests cover frames from libwebrtc).
 */
class VideoStreamTest {

    /** A remote video track whose frames the test delivers. */
    private static final class Track implements RemoteVideoTrack {
        final List<VideoSink> sinks = new CopyOnWriteArrayList<>();

        @Override
        public void addSink(VideoSink sink) {
            sinks.add(sink);
        }

        @Override
        public void removeSink(VideoSink sink) {
            sinks.remove(sink);
        }

        @Override
        public String sid() {
            return "TR_test";
        }

        @Override
        public String name() {
            return "test";
        }

        void deliver(VideoFrame f) {
            sinks.forEach(s -> s.onFrame(f));
        }

        void end() {
            sinks.forEach(VideoSink::onEnded);
        }
    }

    private static VideoFrame gray(long t) {
        return VideoFrame.ofI420(4, 2, new byte[8], new byte[2], new byte[2], t);
    }

    @Test
    void aReaderThatFallsBehindLosesTheOldestFramesCounted() throws Exception {
        Track track = new Track();
        VideoStream stream = VideoStream.of(track);
        for (int t = 0; t < 10; t++) {
            track.deliver(gray(t));
        }
        assertThat(stream.droppedFrames()).isEqualTo(10 - VideoStream.DEFAULT_CAPACITY);
        assertThat(stream.receivedFrames()).isEqualTo(10);
        List<Long> read = new ArrayList<>();
        for (int i = 0; i < VideoStream.DEFAULT_CAPACITY; i++) {
            read.add(stream.read().timestampMicros());
        }
        assertThat(read).containsExactly(6L, 7L, 8L, 9L);
        assertThat(stream.poll(Duration.ofMillis(10))).isNull();
        assertThat(stream.isEnded()).isFalse();
    }

    @Test
    void theTrackEndingEndsTheIterationAfterTheQueuedFrames() {
        Track track = new Track();
        VideoStream stream = VideoStream.of(track, 8);
        track.deliver(gray(1));
        track.deliver(gray(2));
        track.end();
        List<Long> seen = new ArrayList<>();
        for (VideoFrame f : stream) {
            seen.add(f.timestampMicros());
        }
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(track.sinks).isEmpty();
    }

    @Test
    void closingDetachesFromTheTrack() throws Exception {
        Track track = new Track();
        VideoStream stream = VideoStream.of(track);
        stream.close();
        assertThat(track.sinks).isEmpty();
        track.deliver(gray(1));
        assertThat(stream.read()).isNull();
        assertThatThrownBy(() -> VideoStream.of(track, 0)).hasMessageContaining("at least 1");
    }

    @Test
    void framesCheckTheirPlanesAndSize() {
        assertThatThrownBy(() -> VideoFrame.ofI420(4, 2, new byte[7], new byte[2], new byte[2], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8, 2 and 2 bytes");
        assertThatThrownBy(() -> VideoFrame.ofI420(0, 2, new byte[0], new byte[0], new byte[0], 0))
                .hasMessageContaining("0x2");
        assertThatThrownBy(() -> new VideoFrame(2, 2, 0, 45, new byte[4], new byte[1], new byte[1]))
                .hasMessageContaining("rotation");
        // odd sizes round the chroma planes up
        assertThat(VideoFrame.ofI420(3, 3, new byte[9], new byte[4], new byte[4], 0).width()).isEqualTo(3);
    }

    @Test
    void argbSurvivesTheTripThroughI420WithinCodingError() {
        int w = 16;
        int h = 8;
        int[] argb = new int[w * h];
        for (int i = 0; i < argb.length; i++) {
            // 2x2 blocks of one colour, so chroma subsampling loses nothing
            int bx = (i % w) / 2;
            int by = (i / w) / 2;
            argb[i] = 0xff000000 | (bx * 30) << 16 | (by * 60) << 8 | (255 - bx * 30);
        }
        VideoFrame frame = VideoFrame.fromArgb(w, h, argb, 5);
        int[] back = frame.toArgb();
        for (int i = 0; i < argb.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                assertThat(Math.abs((back[i] >> shift & 0xff) - (argb[i] >> shift & 0xff)))
                        .as("channel at bit %d of pixel %d", shift, i).isLessThanOrEqualTo(3);
            }
        }
        byte[] rgba = frame.toRgba();
        assertThat(rgba).hasSize(w * h * 4);
        assertThat(rgba[3]).isEqualTo((byte) 0xff);
        assertThat(rgba[0] & 0xff).isEqualTo(back[0] >> 16 & 0xff);
        VideoFrame again = VideoFrame.fromRgba(w, h, rgba, 5);
        assertThat(again.y()).isEqualTo(frame.y());
        assertThatThrownBy(() -> VideoFrame.fromRgba(w, h, new byte[3], 0)).hasMessageContaining(w * h * 4 + " bytes");
    }

    @Test
    void aSourceRefusesFramesOfAnotherSizeAndCountsWhatItCouldNotSend() {
        VideoSource source = new VideoSource(4, 2);
        assertThatThrownBy(() -> source.captureFrame(VideoFrame.ofI420(2, 2, new byte[4], new byte[1], new byte[1], 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2x2").hasMessageContaining("4x2");
        source.captureFrame(gray(0));
        assertThat(source.discardedFrames()).isEqualTo(1);
        List<VideoFrame> out = new ArrayList<>();
        VideoSink sink = out::add;
        source.attachOutput(sink);
        source.captureFrame(gray(1));
        assertThat(out).hasSize(1);
        assertThat(source.sentFrames()).isEqualTo(1);
        source.close();
        assertThatThrownBy(() -> source.captureFrame(gray(2))).isInstanceOf(IllegalStateException.class);
    }
}
