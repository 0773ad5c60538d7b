package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import livekit.LivekitRtc.SessionDescription;

/**
 * Offer/answer rounds on the publisher connection, one at a time: a change requested while an offer
 * is out is folded into one more round after its answer. Offers are numbered and an answer for an
 * older offer is ignored, as LiveKit's JS client does.
 *
 * <p>An offer whose answer does not come within {@link #ANSWER_TIMEOUT} fails its round and is
 * reported to {@code onStuck}: the answer was lost (the signalling broke after the offer went out)
 * or the server cannot answer; LiveKit's JS client treats it the same way, as a reason for a full
 * reconnect (client-sdk-js src/room/RTCEngine.ts {@code negotiate}, {@code peerConnectionTimeout}).
 * After a resume, {@link #restartIce()} offers again with new ICE credentials, folding in whatever
 * was waiting. Session thread only.
 */
final class PublisherNegotiation {

    /** client-sdk-js {@code roomConnectOptionDefaults.peerConnectionTimeout}. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

    private final Peer peer;
    private final OwnerThread owner;
    private final Consumer<SessionDescription> sendOffer;
    private final Consumer<RoomException> onStuck;
    private final Duration answerTimeout;
    private int offerId;
    private boolean awaitingAnswer;
    private boolean iceRestartNext;
    private ScheduledFuture<?> answerTimer;
    private List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    private List<CompletableFuture<Void>> queued = new ArrayList<>();

    PublisherNegotiation(Peer peer, OwnerThread owner, Consumer<SessionDescription> sendOffer,
                         Consumer<RoomException> onStuck) {
        this(peer, owner, sendOffer, onStuck, ANSWER_TIMEOUT);
    }

    PublisherNegotiation(Peer peer, OwnerThread owner, Consumer<SessionDescription> sendOffer,
                         Consumer<RoomException> onStuck, Duration answerTimeout) {
        this.peer = peer;
        this.owner = owner;
        this.sendOffer = sendOffer;
        this.onStuck = onStuck;
        this.answerTimeout = answerTimeout;
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

    /**
     * Offers now with an ICE restart (the session was resumed): an offer still out is abandoned (its
     * answer went with the old connection) and its waiters join this round, as do queued ones.
     */
    CompletableFuture<Void> restartIce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        cancelTimer();
        inFlight.addAll(queued);
        queued = new ArrayList<>();
        inFlight.add(done);
        awaitingAnswer = false;
        iceRestartNext = true;
        offer();
        return done;
    }

    void onAnswer(SessionDescription answer) {
        if (!awaitingAnswer || answer.getId() != 0 && answer.getId() != offerId) {
            return; // stale or unexpected
        }
        cancelTimer();
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
        cancelTimer();
        awaitingAnswer = false;
        inFlight.forEach(f -> f.completeExceptionally(cause));
        queued.forEach(f -> f.completeExceptionally(cause));
        inFlight = new ArrayList<>();
        queued = new ArrayList<>();
    }

    private void offer() {
        RTCSessionDescription offer;
        try {
            offer = peer.createOffer(iceRestartNext);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        iceRestartNext = false;
        offerId++;
        awaitingAnswer = true;
        int id = offerId;
        answerTimer = owner.schedule(() -> {
            if (awaitingAnswer && offerId == id) {
                RoomException stuck = new RoomException("the server did not answer the publisher offer within "
                        + answerTimeout.toMillis() + " ms");
                fail(stuck);
                onStuck.accept(stuck);
            }
        }, answerTimeout.toMillis());
        sendOffer.accept(SessionDescription.newBuilder().setType("offer").setSdp(offer.sdp).setId(offerId).build());
    }

    private void cancelTimer() {
        if (answerTimer != null) {
            answerTimer.cancel(false);
            answerTimer = null;
        }
    }
}
