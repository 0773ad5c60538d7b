package io.lkworker.rtc;

import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSink;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.webrtc.Pcm;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscribed remote audio track: one native sink on libwebrtc's track, fanned out to the API's
 * sinks. The native sink runs on the process's audio playout thread; each frame is converted once
 * and only when someone listens.
 */
final class RemoteAudioTrackImpl implements RemoteAudioTrack, SubscribedTrack {

    private static final Logger log = LoggerFactory.getLogger(RemoteAudioTrackImpl.class);

    private final String sid;
    private final String name;
    private final AudioTrack nativeTrack;
    private final List<AudioSink> sinks = new CopyOnWriteArrayList<>();
    private final NativeSink nativeSink = new NativeSink(this);
    /** Guards {@link #ended} against {@link #sinks} changes: a sink added as the track ends is ended too. */
    private final Object endLock = new Object();
    private volatile boolean ended;

    RemoteAudioTrackImpl(String sid, String name, AudioTrack nativeTrack) {
        this.sid = sid;
        this.name = name;
        this.nativeTrack = nativeTrack;
        nativeTrack.addSink(nativeSink);
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
    public void addSink(AudioSink sink) {
        synchronized (endLock) {
            if (!ended) {
                sinks.add(sink);
                return;
            }
        }
        // Ended before (or while) it was added: it must hear the end, or an AudioStream on it never ends.
        sink.onEnded();
    }

    @Override
    public void removeSink(AudioSink sink) {
        sinks.remove(sink);
    }

    @Override
    public boolean isEnded() {
        return ended;
    }

    /** Detaches from libwebrtc and tells every sink the track ended. Session thread; idempotent. */
    @Override
    public void end() {
        List<AudioSink> toEnd;
        synchronized (endLock) {
            if (ended) {
                return;
            }
            ended = true;
            toEnd = List.copyOf(sinks);
            sinks.clear();
        }
        nativeSink.track = null;
        try {
            nativeTrack.removeSink(nativeSink);
        } catch (RuntimeException e) {
            log.debug("removing the sink of {}: {}", sid, e.toString());
        }
        for (AudioSink sink : toEnd) {
            try {
                sink.onEnded();
            } catch (RuntimeException e) {
                log.warn("audio sink of track {} failed on end", sid, e);
            }
        }
    }

    /**
     * What libwebrtc holds: webrtc-java keeps a track sink behind a JNI global reference until
     * {@code removeSink} (webrtc-java issue #146, {@code JNI_AudioTrack.cpp}). If that removal is ever
     * skipped or fails, only this shell stays reachable: it reaches the track through a field that
     * {@link #end()} clears, not through a method reference that would pin the track, its sinks and
     * their consumers.
     */
    private static final class NativeSink implements AudioTrackSink {
        private volatile RemoteAudioTrackImpl track;

        NativeSink(RemoteAudioTrackImpl track) {
            this.track = track;
        }

        @Override
        public void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            RemoteAudioTrackImpl t = track;
            if (t != null) {
                t.onNativeData(data, bitsPerSample, sampleRate, channels, frames);
            }
        }
    }

    private void onNativeData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
        if (ended || sinks.isEmpty() || bitsPerSample != 16) {
            return;
        }
        AudioFrame frame = new AudioFrame(Pcm.fromLittleEndian(data, frames * channels), sampleRate, channels, frames);
        for (AudioSink sink : sinks) {
            try {
                sink.onFrame(frame);
            } catch (RuntimeException e) {
                log.warn("audio sink of track {} failed", sid, e);
            }
        }
    }

    @Override
    public String toString() {
        return "RemoteAudioTrack[" + sid + "]";
    }
}
