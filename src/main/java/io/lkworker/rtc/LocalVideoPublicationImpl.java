package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.LocalVideoTrackPublication;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.webrtc.Peer;
import livekit.LivekitModels.TrackInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A published local video track and the native objects behind it: libwebrtc's custom source (fed by
 * a {@link VideoFeed} from the agent's {@code VideoSource}), its track, and the sender on the
 * publisher connection. One publication lasts as long as the track is published; a full reconnect
 * gives it new native objects and a new sid. Native parts are touched on the session thread only,
 * and freed in the order webrtc-java needs: feed closed, sender removed, then track and source.
 */
final class LocalVideoPublicationImpl implements LocalVideoTrackPublication {

    private static final Logger log = LoggerFactory.getLogger(LocalVideoPublicationImpl.class);

    private final LocalVideoTrack track;
    private final TrackPublishOptions options;
    private volatile String cid;
    private volatile TrackInfo info;
    private CustomVideoSource nativeSource;
    private VideoTrack nativeTrack;
    private RTCRtpSender sender;
    private VideoFeed feed;

    LocalVideoPublicationImpl(LocalVideoTrack track, TrackPublishOptions options) {
        this.track = track;
        this.options = options;
    }

    /** The server accepted the track as {@code info}; these native objects send it. */
    void attach(String newCid, TrackInfo newInfo, CustomVideoSource source, VideoTrack newTrack, RTCRtpSender newSender) {
        this.cid = newCid;
        this.info = newInfo;
        this.nativeSource = source;
        this.nativeTrack = newTrack;
        this.sender = newSender;
        this.feed = new VideoFeed(source);
    }

    /** Captures reach libwebrtc from now on. */
    void published() {
        if (feed != null) {
            track.source().attachOutput(feed);
        }
    }

    /** Stops feeding the track and detaches it from {@code publisher} (null when already closed). */
    void stopSending(Peer publisher) {
        if (feed != null) {
            track.source().detachOutput(feed);
            feed.close();
            feed = null;
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
            VideoTrack t = nativeTrack;
            nativeTrack = null;
            dispose("track", t::dispose);
        }
        if (nativeSource != null) {
            CustomVideoSource s = nativeSource;
            nativeSource = null;
            dispose("source", s::dispose);
        }
    }

    /**
     * Frees one native object. webrtc-java throws {@code java.lang.Error} when a sender still holds the
     * track: that means the teardown order above was broken, so it is logged as a warning, not hidden.
     */
    private void dispose(String what, Runnable dispose) {
        try {
            dispose.run();
        } catch (RuntimeException | Error e) {
            log.warn("video track '{}': libwebrtc did not free its {}: {}", track.name(), what, e.toString());
        }
    }

    @Override
    public LocalVideoTrack track() {
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

    void update(TrackInfo newInfo) {
        this.info = newInfo;
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
        return TrackKind.VIDEO;
    }

    @Override
    public TrackSource source() {
        return info == null ? options.source() : Kinds.source(info.getSource());
    }

    @Override
    public boolean isMuted() {
        return info != null && info.getMuted();
    }

    @Override
    public String toString() {
        return "LocalVideoTrackPublication[" + sid() + " " + track.name() + "]";
    }
}
