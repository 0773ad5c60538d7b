package io.lkworker.rtc;

import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackSource;
import livekit.LivekitModels;

/** Translations between LiveKit's protocol enums and the API's. */
final class Kinds {

    private Kinds() {
    }

    static ParticipantKind participant(LivekitModels.ParticipantInfo.Kind kind) {
        return switch (kind) {
            case STANDARD -> ParticipantKind.STANDARD;
            case INGRESS -> ParticipantKind.INGRESS;
            case EGRESS -> ParticipantKind.EGRESS;
            case SIP -> ParticipantKind.SIP;
            case AGENT -> ParticipantKind.AGENT;
            default -> ParticipantKind.OTHER;
        };
    }

    static TrackKind track(LivekitModels.TrackType type) {
        return type == LivekitModels.TrackType.VIDEO ? TrackKind.VIDEO : TrackKind.AUDIO;
    }

    static TrackSource source(LivekitModels.TrackSource source) {
        return switch (source) {
            case CAMERA -> TrackSource.CAMERA;
            case MICROPHONE -> TrackSource.MICROPHONE;
            case SCREEN_SHARE -> TrackSource.SCREEN_SHARE;
            case SCREEN_SHARE_AUDIO -> TrackSource.SCREEN_SHARE_AUDIO;
            default -> TrackSource.UNKNOWN;
        };
    }

    static LivekitModels.TrackSource source(TrackSource source) {
        return switch (source) {
            case CAMERA -> LivekitModels.TrackSource.CAMERA;
            case MICROPHONE -> LivekitModels.TrackSource.MICROPHONE;
            case SCREEN_SHARE -> LivekitModels.TrackSource.SCREEN_SHARE;
            case SCREEN_SHARE_AUDIO -> LivekitModels.TrackSource.SCREEN_SHARE_AUDIO;
            case UNKNOWN -> LivekitModels.TrackSource.UNKNOWN;
        };
    }
}
