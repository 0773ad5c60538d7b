package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.lkworker.webrtc.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import livekit.LivekitRtc.SessionDescription;

/**
 * Offer/answer rounds on the publisher connection, one at a time: a change requested while an offer
 * is out is folded into one more round after its answer. Offers are numbered and an answer for an
 * older offer is ignored, as LiveKit's JS client does. Session thread only.
 */
final class PublisherNegotiation {

    private final Peer peer;
    private final Consumer<SessionDescription> sendOffer;
    private int offerId;
    private boolean awaitingAnswer;
    private List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    private List<CompletableFuture<Void>> queued = new ArrayList<>();

    PublisherNegotiation(Peer peer, Consumer<SessionDescription> sendOffer) {
        this.peer = peer;
        this.sendOffer = sendOffer;
    }

    /** Completes once an offer made after this call has been answered and applied. */
    CompletableFuture<Void> negotiate() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (awaitingAnswer) {
            queued.add(done);
        } else {
            inFlight.add(done);
            offer();
        }
        return done;
    }

    boolean isIdle() {
        return !awaitingAnswer;
    }

    void onAnswer(SessionDescription answer) {
        if (!awaitingAnswer || answer.getId() != 0 && answer.getId() != offerId) {
            return; // stale or unexpected
        }
        try {
            peer.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answer.getSdp()));
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        awaitingAnswer = false;
        List<CompletableFuture<Void>> done = inFlight;
        inFlight = new ArrayList<>();
        done.forEach(f -> f.complete(null));
        if (!queued.isEmpty()) {
            inFlight = queued;
            queued = new ArrayList<>();
            offer();
        }
    }

    /** Fails every waiting round (the session is ending or the connection broke). */
    void fail(Throwable cause) {
        awaitingAnswer = false;
        inFlight.forEach(f -> f.completeExceptionally(cause));
        queued.forEach(f -> f.completeExceptionally(cause));
        inFlight = new ArrayList<>();
        queued = new ArrayList<>();
    }

    private void offer() {
        RTCSessionDescription offer;
        try {
            offer = peer.createOffer(false);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        offerId++;
        awaitingAnswer = true;
        sendOffer.accept(SessionDescription.newBuilder().setType("offer").setSdp(offer.sdp).setId(offerId).build());
    }
}
