package io.lkworker.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 4: an SDP step that waits for libwebrtc must not stall the audio pump, which feeds every
 * room of the process every 10 ms. The slow step is made deterministic: a raw peer connection's offer
 * callback blocks libwebrtc's one signalling thread, so a {@link Peer}'s offer waits for it. Meanwhile the
 * pump must go on ticking. Before the fix, {@code Peer.createOffer} ran under the engine's lock, which the
 * pump takes for every tick: no tick until the offer came back.
 */
@Tag("rtc")
class SdpDoesNotStallAudioTest {

    /** Ticks that must pass while the offer is held up: 300 ms of audio. */
    private static final int TICKS = 30;
    /** Wall time for those ticks: 10x their duration, for a loaded 2-core machine; a stalled pump gives none. */
    private static final Duration TICKS_TIMEOUT = Duration.ofSeconds(3);
    /** The offer reaching libwebrtc (blocked on the signalling thread) and the blocker's callback: milliseconds. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void thePumpKeepsTickingWhileAnOfferWaitsForTheSignallingThread() throws Exception {
        MediaEngine engine = MediaEngine.shared();
        AtomicInteger ticks = new AtomicInteger();
        AtomicLong lastTick = new AtomicLong();
        AtomicLong longestGapNanos = new AtomicLong();
        CustomAudioSource probeSource = new CustomAudioSource();
        AudioPump.Registration probe = engine.pump().add(probeSource, new AudioPump.Producer() {
            @Override
            public int sampleRate() {
                return 48000;
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public int read(short[] into) {
                long now = System.nanoTime();
                long previous = lastTick.getAndSet(now);
                if (previous != 0) {
                    longestGapNanos.accumulateAndGet(now - previous, Math::max);
                }
                ticks.incrementAndGet();
                return -1; // nothing to send
            }
        });
        Peer peer = new Peer(engine, "probe", List.of(), Runnable::run, candidate -> { });
        RTCDataChannel channel = peer.createDataChannel("probe", new RTCDataChannelInit());
        RTCPeerConnection blocker = engine.factory().createPeerConnection(new RTCConfiguration(), new Quiet());
        RTCDataChannel blockerChannel = blocker.createDataChannel("blocker", new RTCDataChannelInit());
        CountDownLatch signallingBlocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        Thread offering = new Thread(() -> {
            try {
                offer.complete(peer.createOffer(false));
            } catch (Throwable t) {
                offer.completeExceptionally(t);
            }
        }, "probe-offer");
        try {
            blocker.createOffer(new RTCOfferOptions(), new BlockingObserver(signallingBlocked, unblock));
            assertThat(signallingBlocked.await(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            offering.start();
            await().atMost(STEP_TIMEOUT).until(() -> inNativeCreateOffer(offering));

            int before = ticks.get();
            longestGapNanos.set(0);
            await().atMost(TICKS_TIMEOUT).until(() -> ticks.get() >= before + TICKS);
            assertThat(offer).as("the offer is held up on the signalling thread all along").isNotDone();
            System.out.printf("%d pump ticks while an offer waited; longest gap between ticks %.1f ms%n",
                    ticks.get() - before, longestGapNanos.get() / 1e6);
        } finally {
            unblock.countDown();
        }
        assertThat(offer.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).sdp).contains("m=application");
        probe.close();
        channel.close();
        blockerChannel.close();
        peer.close();
        blocker.close();
        channel.dispose();
        blockerChannel.dispose();
        probeSource.dispose();
    }

    private static boolean inNativeCreateOffer(Thread t) {
        return Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getClassName().equals(RTCPeerConnection.class.getName())
                && e.getMethodName().equals("createOffer"));
    }

    /** Holds libwebrtc's signalling thread inside the offer callback until told to let go. */
    private record BlockingObserver(CountDownLatch blocked, CountDownLatch unblock) implements CreateSessionDescriptionObserver {
        @Override
        public void onSuccess(RTCSessionDescription description) {
            hold();
        }

        @Override
        public void onFailure(String error) {
            hold();
        }

        private void hold() {
            blocked.countDown();
            try {
                unblock.await(STEP_TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Quiet implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
        }
    }
}
