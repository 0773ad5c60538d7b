package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.RTCDataChannelInit;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import livekit.LivekitRtc.SessionDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** An offer whose answer never comes fails its round and is reported stuck, instead of waiting for ever. */
@Tag("rtc")
class PublisherNegotiationTest {

    private final OwnerThread owner = new OwnerThread("negotiation-test");
    private Peer peer;

    @AfterEach
    void close() throws Exception {
        if (peer != null) {
            owner.call(() -> {
                peer.close();
                return null;
            });
        }
        owner.shutdown();
    }

    @Test
    void anOfferWhoseAnswerIsLostFailsAndIsReportedStuck() throws Exception {
        List<SessionDescription> offers = new CopyOnWriteArrayList<>();
        CompletableFuture<RoomException> stuck = new CompletableFuture<>();
        CompletableFuture<Void> round = owner.call(() -> {
            peer = new Peer(MediaEngine.shared(), "publisher", List.of(), owner.executor(), candidate -> { });
            peer.createDataChannel("_reliable", new RTCDataChannelInit());
            // The offer goes nowhere: like an answer lost with a dropped signalling connection.
            PublisherNegotiation negotiation = new PublisherNegotiation(peer, owner, offers::add, stuck::complete,
                    Duration.ofMillis(300));
            return negotiation.negotiate();
        });
        assertThat(stuck.get(10, TimeUnit.SECONDS)).hasMessageContaining("did not answer the publisher offer");
        assertThat(round).failsWithin(Duration.ofSeconds(1));
        assertThat(offers).hasSize(1);
    }
}
