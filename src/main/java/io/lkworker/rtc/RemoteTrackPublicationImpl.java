package io.lkworker.rtc;

import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackSource;
import java.util.Optional;
import livekit.LivekitModels.TrackInfo;

/** A remote participant's track as the server last described it; written on the session thread. */
final class RemoteTrackPublicationImpl implements RemoteTrackPublication {

    private final RtcSession session;
    private volatile TrackInfo info;
    /** The received track (audio or video) while subscribed. */
    private volatile SubscribedTrack track;

    RemoteTrackPublicationImpl(RtcSession session, TrackInfo info) {
        this.session = session;
        this.info = info;
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
        return Kinds.track(info.getType());
    }

    @Override
    public TrackSource source() {
        return Kinds.source(info.getSource());
    }

    @Override
    public boolean isMuted() {
        return info.getMuted();
    }

    @Override
    public Optional<RemoteTrack> track() {
        return Optional.ofNullable(track);
    }

    @Override
    public boolean isSubscribed() {
        return track != null;
    }

    @Override
    public void setSubscribed(boolean subscribed) {
        session.updateSubscription(sid(), subscribed);
    }

    TrackInfo info() {
        return info;
    }

    void update(TrackInfo newInfo) {
        this.info = newInfo;
    }

    SubscribedTrack subscribedTrack() {
        return track;
    }

    void setTrack(SubscribedTrack t) {
        this.track = t;
    }

    @Override
    public String toString() {
        return "RemoteTrackPublication[" + sid() + " " + kind() + " " + source() + "]";
    }
}
