package io.lkworker.webrtc;

import dev.onvoid.webrtc.RTCRtpEncodingParameters;
import dev.onvoid.webrtc.RTCRtpSendParameters;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import java.util.ArrayList;
import java.util.List;

/**
 * The audio senders of one connection that may not send yet: each is added with its encoding
 * inactive until the connection has been connected once, and then activated through
 * {@link MediaEngine#reconfigure}. This is what keeps every start of an audio send stream, and with
 * it every start of the audio device's recording, inside {@code reconfigure}, where nothing stops the
 * recording concurrently (see {@link MediaEngine}, "Recording").
 *
 * <p>Why only before the first connection: libwebrtc starts a channel's send stream by itself, on
 * its worker thread and outside any call of ours, once, when the channel's transport first becomes
 * writable (webrtc, {@code pc/channel.cc}, {@code BaseChannel::ChannelWritable_n} posts
 * {@code UpdateMediaSendRecvState_w}). A stream whose encoding is inactive does not start there
 * (webrtc, {@code media/engine/webrtc_voice_engine.cc}, {@code WebRtcAudioSendStream::UpdateSendState}).
 * A channel added to a connection that is already up gets that posted task while its description is
 * applied, ahead of the description's own worker calls, so it starts inside our call anyway. This
 * assumes one transport per connection (BUNDLE, as LiveKit and our own peers negotiate): an audio
 * section on a transport of its own that first becomes writable after CONNECTED would still start on
 * its own.
 *
 * <p>Owned by its {@link Peer}'s owner thread.
 */
final class HeldAudioSenders {

    private final List<RTCRtpSender> held = new ArrayList<>();
    private boolean connectedOnce;

    /** Holds {@code sender} back if it carries audio and the connection was never up; under reconfigure. */
    void holdIfNeeded(RTCRtpSender sender, MediaStreamTrack track) {
        if (connectedOnce || sender == null || track == null || !MediaStreamTrack.AUDIO_TRACK_KIND.equals(track.getKind())) {
            return;
        }
        setActive(sender, false);
        held.add(sender);
    }

    /** The sender is leaving its connection: nothing to activate any more. */
    void forget(RTCRtpSender sender) {
        held.remove(sender);
    }

    /** The connection reached CONNECTED: from now on nothing is held. Returns the senders to activate. */
    List<RTCRtpSender> connected() {
        connectedOnce = true;
        List<RTCRtpSender> release = List.copyOf(held);
        held.clear();
        return release;
    }

    void clear() {
        held.clear();
    }

    static void setActive(RTCRtpSender sender, boolean active) {
        RTCRtpSendParameters parameters = sender.getParameters();
        if (parameters.encodings == null || parameters.encodings.isEmpty()) {
            throw new IllegalStateException("an audio sender without encodings cannot be held back");
        }
        for (RTCRtpEncodingParameters encoding : parameters.encodings) {
            encoding.active = active;
        }
        sender.setParameters(parameters);
    }
}
