package io.lkworker.localserver.room;

import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import io.lkworker.webrtc.Peer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import livekit.LivekitRtc.SessionDescription;

/**
 * The server's offers on a participant's subscriber connection (the server is the offerer there),
 * one round at a time: a change made while an offer is out triggers one more round after the answer.
 * Every offer lists which track each m-line carries ({@code mid_to_track_id}), as the real server's
 * do. Room thread only.
 */
final class SubscriberOffers {

    private final Peer peer;
    private final Consumer<SessionDescription> send;
    private int offerId;
    private boolean awaitingAnswer;
    private boolean again;

    SubscriberOffers(Peer peer, Consumer<SessionDescription> send) {
        this.peer = peer;
        this.send = send;
    }

    void negotiate() {
        if (awaitingAnswer) {
            again = true;
        } else {
            offer(false);
        }
    }

    /**
     * A resume: the client's answer to an offer still out was lost with its old connection, so that
     * round is forgotten and a new offer with new ICE credentials goes out at once, as
     * livekit/livekit pkg/rtc/transport.go doICERestart does on the subscriber connection.
     */
    void restartIce() {
        awaitingAnswer = false;
        again = false;
        offer(true);
    }

    /** False for an answer nobody asked for (ignored). */
    boolean onAnswer(SessionDescription answer) {
        if (!awaitingAnswer) {
            return false;
        }
        peer.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer.getSdp()));
        awaitingAnswer = false;
        if (again) {
            again = false;
            offer(false);
        }
        return true;
    }

    private void offer(boolean iceRestart) {
        RTCSessionDescription offer = peer.createOffer(iceRestart);
        offerId++;
        awaitingAnswer = true;
        send.accept(SessionDescription.newBuilder().setType("offer").setSdp(offer.sdp).setId(offerId)
                .putAllMidToTrackId(midToTrackId()).build());
    }

    private Map<String, String> midToTrackId() {
        Map<String, String> map = new LinkedHashMap<>();
        for (RTCRtpTransceiver t : peer.transceivers()) {
            MediaStreamTrack track = t.getSender().getTrack();
            String mid = t.getMid();
            if (mid != null && track != null) {
                map.put(mid, track.getId());
            }
        }
        return map;
    }
}
