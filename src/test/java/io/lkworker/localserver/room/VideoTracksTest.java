package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;

import livekit.LivekitModels;
import livekit.LivekitRtc;
import livekit.LivekitRtc.RequestResponse.Reason;
import org.junit.jupiter.api.Test;

/** What video the development server takes, and how it says no. */
class VideoTracksTest {

    private static LivekitRtc.AddTrackRequest.Builder camera(int w, int h) {
        return LivekitRtc.AddTrackRequest.newBuilder().setCid("c").setName("cam").setType(LivekitModels.TrackType.VIDEO)
                .setSource(LivekitModels.TrackSource.CAMERA).setWidth(w).setHeight(h)
                .addLayers(LivekitModels.VideoLayer.newBuilder().setQuality(LivekitModels.VideoQuality.HIGH)
                        .setWidth(w).setHeight(h));
    }

    @Test
    void oneVp8LayerUpTo720pIsForwarded() {
        LivekitRtc.AddTrackRequest add = camera(1280, 720)
                .addSimulcastCodecs(LivekitRtc.SimulcastCodec.newBuilder().setCodec("vp8").setCid("c")).build();
        assertThat(VideoTracks.check(add, 0).accepted()).isTrue();
        LivekitModels.TrackInfo info = VideoTracks.trackInfo("TR_V1", add);
        assertThat(info.getWidth()).isEqualTo(1280);
        assertThat(info.getHeight()).isEqualTo(720);
        assertThat(info.getSimulcast()).isFalse();
        assertThat(info.getMimeType()).isEqualTo("video/VP8");
        assertThat(info.getLayersList()).singleElement()
                .satisfies(l -> assertThat(l.getQuality()).isEqualTo(LivekitModels.VideoQuality.HIGH));
    }

    @Test
    void simulcastOtherCodecsLargePicturesAndTooManyTracksAreRefusedSayingWhy() {
        LivekitRtc.AddTrackRequest simulcast = camera(640, 360).addLayers(LivekitModels.VideoLayer.newBuilder()
                .setQuality(LivekitModels.VideoQuality.LOW).setWidth(320).setHeight(180)).build();
        VideoTracks.Verdict v = VideoTracks.check(simulcast, 0);
        assertThat(v.accepted()).isFalse();
        assertThat(v.reason()).isEqualTo(Reason.UNSUPPORTED_TYPE);
        assertThat(v.message()).contains("simulcast").contains("simulcast: false");

        LivekitRtc.AddTrackRequest vp9 = camera(640, 360)
                .addSimulcastCodecs(LivekitRtc.SimulcastCodec.newBuilder().setCodec("vp9")).build();
        assertThat(VideoTracks.check(vp9, 0).message()).contains("'vp9'").contains("VP8");

        assertThat(VideoTracks.check(camera(1920, 1080).build(), 0).message()).contains("1920x1080").contains("1280x720");
        assertThat(VideoTracks.check(camera(720, 1280).build(), 0).accepted()).as("a phone held upright").isTrue();
        assertThat(VideoTracks.check(camera(800, 1280).build(), 0).accepted()).isFalse();

        VideoTracks.Verdict full = VideoTracks.check(camera(320, 240).build(), VideoTracks.MAX_TRACKS_PER_ROOM);
        assertThat(full.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(full.message()).contains(String.valueOf(VideoTracks.MAX_TRACKS_PER_ROOM));
    }
}
