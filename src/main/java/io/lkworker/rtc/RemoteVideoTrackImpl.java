package io.lkworker.rtc;

import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.lkworker.api.rtc.RemoteVideoTrack;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscribed remote video track: one native sink on libwebrtc's track, fanned out to the API's
 * sinks. The native sink runs on the track's decoding thread; each frame is copied out of native
 * memory once. It is added with the first API sink, not before: webrtc-java copies every frame it
 * hands a sink, and an agent subscribed to everything (the default) should not pay that for video it
 * never reads. It is removed when the track ends, not when the last API sink goes, because a sink may
 * remove itself from inside its callback, where libwebrtc holds the lock its removal needs. The one
 * addition happens under {@link #endLock}, the one removal after {@link #ended} is set under it, so
 * webrtc-java's {@code VideoTrack}, which keeps its sinks in a plain map, sees them in order.
 */
final class RemoteVideoTrackImpl implements RemoteVideoTrack, SubscribedTrack {

    private static final Logger log = LoggerFactory.getLogger(RemoteVideoTrackImpl.class);

    private final String sid;
    private final String name;
    private final VideoTrack nativeTrack;
    private final List<VideoSink> sinks = new CopyOnWriteArrayList<>();
    private final NativeSink nativeSink = new NativeSink(this);
    /**
     * Guards {@link #ended} against {@link #sinks} changes (a sink added as the track ends is ended
     * too) and the native sink's attachment.
     */
    private final Object endLock = new Object();
    private volatile boolean ended;
    private boolean attached;

    RemoteVideoTrackImpl(String sid, String name, VideoTrack nativeTrack) {
        this.sid = sid;
        this.name = name;
        this.nativeTrack = nativeTrack;
    }

    @Override
    public String sid() {
        return sid;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void addSink(VideoSink sink) {
        synchronized (endLock) {
            if (!ended) {
                sinks.add(sink);
                if (!attached) {
                    nativeTrack.addSink(nativeSink);
                    attached = true;
                }
                return;
            }
        }
        sink.onEnded();
    }

    @Override
    public void removeSink(VideoSink sink) {
        sinks.remove(sink);
    }

    @Override
    public boolean isEnded() {
        return ended;
    }

    /** Detaches from libwebrtc and tells every sink the track ended. Session thread; idempotent. */
    @Override
    public void end() {
        List<VideoSink> toEnd;
        boolean detach;
        synchronized (endLock) {
            if (ended) {
                return;
            }
            ended = true;
            toEnd = List.copyOf(sinks);
            sinks.clear();
            nativeSink.track = null;
            detach = attached;
            attached = false;
        }
        // Outside the lock: libwebrtc's removal waits for a frame being delivered, whose sink may be
        // calling addSink (which needs the lock). Once ended, nothing else touches the native sinks.
        if (detach) {
            try {
                nativeTrack.removeSink(nativeSink);
            } catch (RuntimeException e) {
                log.debug("removing the sink of {}: {}", sid, e.toString());
            }
        }
        for (VideoSink sink : toEnd) {
            try {
                sink.onEnded();
            } catch (RuntimeException e) {
                log.warn("video sink of track {} failed on end", sid, e);
            }
        }
    }

    /**
     * What libwebrtc holds (through a JNI global reference until {@code removeSink}): reaches the track
     * only through a field {@link #end()} clears. Every frame webrtc-java hands it carries one reference
     * to a native copy of the picture ({@code VideoTrackSink::OnFrame} in webrtc-java's JNI), which
     * this sink must release, listened to or not, or each frame leaks.
     */
    private static final class NativeSink implements VideoTrackSink {
        private volatile RemoteVideoTrackImpl track;

        NativeSink(RemoteVideoTrackImpl track) {
            this.track = track;
        }

        @Override
        public void onVideoFrame(dev.onvoid.webrtc.media.video.VideoFrame frame) {
            try {
                RemoteVideoTrackImpl t = track;
                if (t != null) {
                    t.onNativeFrame(frame);
                }
            } finally {
                frame.release();
            }
        }
    }

    private void onNativeFrame(dev.onvoid.webrtc.media.video.VideoFrame frame) {
        if (ended || sinks.isEmpty() || !(frame.buffer instanceof I420Buffer buffer)) {
            return;
        }
        VideoFrame copy;
        try {
            copy = NativeFrames.copyOut(buffer, frame.rotation, frame.timestampNs / 1000);
        } catch (IllegalArgumentException e) {
            log.debug("video track {}: unusable frame: {}", sid, e.getMessage());
            return;
        }
        for (VideoSink sink : sinks) {
            try {
                sink.onFrame(copy);
            } catch (RuntimeException e) {
                log.warn("video sink of track {} failed", sid, e);
            }
        }
    }

    @Override
    public String toString() {
        return "RemoteVideoTrack[" + sid + "]";
    }
}
