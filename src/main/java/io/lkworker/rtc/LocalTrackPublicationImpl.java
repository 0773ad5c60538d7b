package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.webrtc.AudioPump;
import livekit.LivekitModels.TrackInfo;

/**
 * A published local audio track and the native objects behind it: the custom source the pump feeds
 * from the track's {@code AudioSource}, libwebrtc's track, and its sender on the publisher connection.
 */
final class LocalTrackPublicationImpl implements LocalTrackPublication {

    private final LocalAudioTrack track;
    private final String cid;
    private volatile TrackInfo info;
    final CustomAudioSource nativeSource;
    final AudioTrack nativeTrack;
    RTCRtpSender sender;
    AudioPump.Registration pumping;

    LocalTrackPublicationImpl(LocalAudioTrack track, String cid, TrackInfo info, CustomAudioSource nativeSource,
                              AudioTrack nativeTrack) {
        this.track = track;
        this.cid = cid;
        this.info = info;
        this.nativeSource = nativeSource;
        this.nativeTrack = nativeTrack;
    }

    @Override
    public LocalAudioTrack track() {
        return track;
    }

    String cid() {
        return cid;
    }

    @Override
    public String sid() {
        return info.getSid();
    }

    @Override
    public String name() {
        return info.getName();
    }

    @Override
    public TrackKind kind() {
        return TrackKind.AUDIO;
    }

    @Override
    public TrackSource source() {
        return Kinds.source(info.getSource());
    }

    @Override
    public boolean isMuted() {
        return info.getMuted();
    }

    void update(TrackInfo newInfo) {
        this.info = newInfo;
    }

    @Override
    public String toString() {
        return "LocalTrackPublication[" + sid() + " " + track.name() + "]";
    }
}
