package io.lkworker.localserver.room;

import livekit.LivekitModels;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.RequestResponse.Reason;

/**
 * What video the development server forwards, and the {@code TrackInfo} it announces for it. It
 * decodes and re-encodes every track ({@code media.VideoForwarder}), so it takes one layer of VP8
 * up to 1280×720 and a few tracks per room; anything else is refused with a {@code RequestResponse}
 * naming what is unsupported, which LiveKit's clients turn into a failed publish.
 */
final class VideoTracks {

    /**
     * Largest picture accepted: 720p, either way up (a phone held upright publishes 720×1280);
     * re-encoding 1080p per subscriber would dominate a developer's machine.
     */
    static final int MAX_LONG_SIDE = 1280;
    static final int MAX_SHORT_SIDE = 720;
    /**
     * Video tracks forwarded at once per room: each costs a decoder plus an encoder per subscriber
     * connection (decode and one encode of 640×360 at 30 fps: 7–19 % of a core by content,
     * benchmarks/results-video.md), so 8 tracks with one subscriber each stay under about 1.5 cores
     * of a developer's machine, and a room cannot take it over unbounded.
     */
    static final int MAX_TRACKS_PER_ROOM = 8;

    record Verdict(boolean accepted, Reason reason, String message) {
        static final Verdict OK = new Verdict(true, Reason.OK, "");

        static Verdict refuse(Reason reason, String message) {
            return new Verdict(false, reason, message);
        }
    }

    private VideoTracks() {
    }

    static Verdict check(LivekitRtc.AddTrackRequest add, int forwardedInRoom) {
        if (add.getLayersCount() > 1) {
            return Verdict.refuse(Reason.UNSUPPORTED_TYPE, "simulcast (" + add.getLayersCount() + " layers) is not"
                    + " supported by the lk-worker development server: publish one layer (livekit-client:"
                    + " publishDefaults { simulcast: false })");
        }
        for (LivekitRtc.SimulcastCodec codec : add.getSimulcastCodecsList()) {
            if (!codec.getCodec().isEmpty() && !codec.getCodec().equalsIgnoreCase("vp8")) {
                return Verdict.refuse(Reason.UNSUPPORTED_TYPE, "video codec '" + codec.getCodec() + "' is not"
                        + " supported by the lk-worker development server: publish VP8 (livekit-client:"
                        + " publishDefaults { videoCodec: 'vp8', backupCodec: false })");
            }
        }
        if (!fits(add.getWidth(), add.getHeight())) {
            return Verdict.refuse(Reason.UNSUPPORTED_TYPE, "video of " + add.getWidth() + "x" + add.getHeight()
                    + " is larger than the lk-worker development server forwards (" + MAX_LONG_SIDE + "x"
                    + MAX_SHORT_SIDE + ", either way up)");
        }
        if (forwardedInRoom >= MAX_TRACKS_PER_ROOM) {
            return Verdict.refuse(Reason.LIMIT_EXCEEDED, "the room already forwards " + forwardedInRoom
                    + " video tracks, the most the lk-worker development server forwards per room");
        }
        return Verdict.OK;
    }

    /** Whether a picture of this size is forwarded. */
    static boolean fits(int width, int height) {
        return Math.max(width, height) <= MAX_LONG_SIDE && Math.min(width, height) <= MAX_SHORT_SIDE;
    }

    /** The track as announced to the room: one HIGH layer of the published size, not simulcast, VP8. */
    static TrackInfo trackInfo(String sid, LivekitRtc.AddTrackRequest add) {
        TrackInfo.Builder info = TrackInfo.newBuilder()
                .setSid(sid)
                .setType(LivekitModels.TrackType.VIDEO)
                .setName(add.getName())
                .setSource(add.getSource())
                .setMuted(add.getMuted())
                .setWidth(add.getWidth())
                .setHeight(add.getHeight())
                .setSimulcast(false)
                .setMimeType("video/VP8");
        if (add.getWidth() > 0 && add.getHeight() > 0) {
            info.addLayers(LivekitModels.VideoLayer.newBuilder().setQuality(LivekitModels.VideoQuality.HIGH)
                    .setWidth(add.getWidth()).setHeight(add.getHeight()));
        }
        return info.build();
    }
}
