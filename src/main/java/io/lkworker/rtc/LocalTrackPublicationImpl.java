package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.webrtc.AudioPump;
import io.lkworker.webrtc.Peer;
import livekit.LivekitModels.TrackInfo;

/**
 * A published local audio track and the native objects behind it: the custom source the pump feeds
 * from the track's {@code AudioSource}, libwebrtc's track, and its sender on the publisher connection.
 * The agent keeps one publication for as long as the track is published; a full reconnect gives it
 * new native objects and a new sid ({@link #attach} again). Native parts are touched on the session
 * thread only.
 */
final class LocalTrackPublicationImpl implements LocalTrackPublication {

    private final LocalAudioTrack track;
    private final TrackPublishOptions options;
    private volatile String cid;
    private volatile TrackInfo info;
    private CustomAudioSource nativeSource;
    private AudioTrack nativeTrack;
    private RTCRtpSender sender;
    private AudioPump.Registration pumping;

    LocalTrackPublicationImpl(LocalAudioTrack track, TrackPublishOptions options) {
        this.track = track;
        this.options = options;
    }

    /** These native objects send the track (announced as {@code newCid}; the server's acceptance may come later). */
    void attach(String newCid, CustomAudioSource source, AudioTrack nativeTrack, RTCRtpSender sender,
                AudioPump.Registration pumping) {
        this.cid = newCid;
        this.nativeSource = source;
        this.nativeTrack = nativeTrack;
        this.sender = sender;
        this.pumping = pumping;
    }

    /** The server accepted the track as {@code newInfo}. */
    void confirm(TrackInfo newInfo) {
        this.info = newInfo;
    }

    /** Stops feeding the track and detaches it from {@code publisher} (null when already closed). */
    void stopSending(Peer publisher) {
        if (pumping != null) {
            pumping.close();
            pumping = null;
        }
        if (sender != null && publisher != null) {
            RTCRtpSender s = sender;
            RtcEngine.quietly(() -> publisher.removeTrack(s));
        }
        sender = null;
    }

    /** Frees libwebrtc's track and source; after {@link #stopSending} and the publisher's close or renegotiation. */
    void freeNative() {
        if (nativeTrack != null) {
            AudioTrack t = nativeTrack;
            RtcEngine.quietly(t::dispose);
            nativeTrack = null;
        }
        if (nativeSource != null) {
            CustomAudioSource s = nativeSource;
            RtcEngine.quietly(s::dispose);
            nativeSource = null;
        }
    }

    /** The track is being sent: its source's captures are paced by the sending again. */
    void published() {
        track.source().markPublished();
    }

    /** The publication is over: captures waiting on its source fail with {@code why}. */
    void ended(String why) {
        track.source().markUnpublished(why);
    }

    @Override
    public LocalAudioTrack track() {
        return track;
    }

    TrackPublishOptions options() {
        return options;
    }

    String cid() {
        return cid;
    }

    TrackInfo info() {
        return info;
    }

    @Override
    public String sid() {
        return info == null ? "" : info.getSid();
    }

    @Override
    public String name() {
        return info == null ? track.name() : info.getName();
    }

    @Override
    public TrackKind kind() {
        return TrackKind.AUDIO;
    }

    @Override
    public TrackSource source() {
        return info == null ? options.source() : Kinds.source(info.getSource());
    }

    @Override
    public boolean isMuted() {
        return info != null && info.getMuted();
    }

    void update(TrackInfo newInfo) {
        this.info = newInfo;
    }

    @Override
    public String toString() {
        return "LocalTrackPublication[" + sid() + " " + track.name() + "]";
    }
}
