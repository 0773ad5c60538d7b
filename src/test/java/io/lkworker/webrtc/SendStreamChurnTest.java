package io.lkworker.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Send streams starting and stopping in one process while the pump pushes audio must never wedge the
 * pump (webrtc-java 0.14.0's headless device: see {@link MediaEngine}, "Recording"). Each round connects
 * a few loopback pairs at once, both ends sending audio from the first offer: libwebrtc then starts those
 * send streams (and with them the device's recording) on its worker thread when each transport first
 * becomes writable, close together and outside any call of ours, which is the start that raced the
 * pump's stop. Then each pair removes and adds a track again (starts and stops inside our calls) and
 * closes. Every step must complete, each pair's tone must reach the other end (the senders wait for
 * their connection before they may start: {@link HeldAudioSenders}), and a probe registered with the
 * pump must keep being read.
 */
@Tag("rtc")
class SendStreamChurnTest {

    private static final int ROUNDS = 16;
    private static final int PAIRS = 3;
    /**
     * One pair's whole life on loopback takes well under a second; this only catches a wedge. Longer than
     * the engine's 5 s lock guard and {@link Peer}'s 10 s SDP timeout, so those report first when they can.
     */
    private static final Duration PAIR_TIMEOUT = Duration.ofSeconds(20);
    /** Probe reads that must follow each round: 200 ms of pump ticks. */
    private static final int TICKS = 20;
    /** Wall time for those ticks: 10x their duration for a loaded 2-core machine; a wedged pump gives none. */
    private static final Duration TICKS_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void sendStreamsStartingAndStoppingNeverWedgeThePump() throws Exception {
        MediaEngine engine = MediaEngine.shared();
        AtomicLong probeReads = new AtomicLong();
        CustomAudioSource probeSource = new CustomAudioSource();
        AudioPump.Registration probe = engine.pump().add(probeSource, new CountingTone(probeReads, true));
        AtomicLong toneReads = new AtomicLong();
        ExecutorService drivers = Executors.newFixedThreadPool(PAIRS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<?>> pairs = new ArrayList<>();
                for (int p = 0; p < PAIRS; p++) {
                    String name = "churn-" + round + "-" + p;
                    pairs.add(drivers.submit(() -> {
                        new LoopbackPair(engine, name, toneReads).live();
                        return null;
                    }));
                }
                for (Future<?> pair : pairs) {
                    awaitPair(pair, round);
                }
                long before = probeReads.get();
                await("pump ticks after round " + round).atMost(TICKS_TIMEOUT)
                        .until(() -> probeReads.get() >= before + TICKS);
            }
        } finally {
            drivers.shutdownNow();
        }
        assertThat(toneReads.get()).as("the pairs' tones were read by the pump").isPositive();
        probe.close();
        probeSource.dispose();
    }

    private static void awaitPair(Future<?> pair, int round) throws InterruptedException {
        try {
            pair.get(PAIR_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail("a pair of round " + round + " did not finish in " + PAIR_TIMEOUT.toSeconds() + " s; " + pumpState());
        } catch (ExecutionException e) {
            throw new AssertionError("a pair of round " + round + " failed; " + pumpState(), e.getCause());
        }
    }

    /** Where the pump thread is: a wedged one sits in the device's native stopRecording. Dumps every thread. */
    private static String pumpState() {
        Thread.getAllStackTraces().forEach((t, stack) -> {
            System.out.println("\"" + t.getName() + "\" " + t.getState());
            Arrays.stream(stack).limit(25).forEach(e -> System.out.println("    at " + e));
        });
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("lk-audio-pump"))
                .map(Map.Entry::getValue)
                .map(stack -> "pump at " + Arrays.stream(stack).limit(3).map(String::valueOf).collect(Collectors.joining(" < ")))
                .findFirst().orElse("no pump thread");
    }

    /**
     * Two peers of this process connected to each other, both sending a tone. Every call on the peers
     * runs on their owner thread, as {@link Peer} requires; their events (ICE candidates) arrive there too.
     */
    private static final class LoopbackPair {
        private final MediaEngine engine;
        private final String name;
        private final AtomicLong toneReads;
        private final OwnerThread owner;
        private final LoudFrames loudFramesAtB = new LoudFrames();
        /** The first audio track b received; owner thread. */
        private AudioTrack heardAtB;

        LoopbackPair(MediaEngine engine, String name, AtomicLong toneReads) {
            this.engine = engine;
            this.name = name;
            this.toneReads = toneReads;
            this.owner = new OwnerThread(name);
        }

        void live() throws Exception {
            CustomAudioSource sourceA = new CustomAudioSource();
            CustomAudioSource sourceB = new CustomAudioSource();
            AudioPump.Registration toneA = engine.pump().add(sourceA, new CountingTone(toneReads, false));
            AudioPump.Registration toneB = engine.pump().add(sourceB, new CountingTone(toneReads, false));
            AudioTrack trackA = engine.factory().createAudioTrack(name + "-a", sourceA);
            AudioTrack trackB = engine.factory().createAudioTrack(name + "-b", sourceB);
            Peer[] peers = new Peer[2];
            try {
                owner.call(() -> {
                    peers[0] = new Peer(engine, name + "/a", List.of(), owner.executor(), c -> peers[1].addIceCandidate(c));
                    peers[1] = new Peer(engine, name + "/b", List.of(), owner.executor(), new Peer.Listener() {
                        @Override
                        public void onIceCandidate(RTCIceCandidate candidate) {
                            peers[0].addIceCandidate(candidate);
                        }

                        @Override
                        public void onTrack(RTCRtpTransceiver transceiver) {
                            if (heardAtB == null && transceiver.getReceiver().getTrack() instanceof AudioTrack track) {
                                heardAtB = track;
                                track.addSink(loudFramesAtB);
                            }
                        }
                    });
                    return null;
                });
                Peer a = peers[0];
                Peer b = peers[1];
                RTCRtpSender senderA = owner.call(() -> a.addTrack(trackA, List.of(name)));
                RTCRtpSender senderB = owner.call(() -> b.addTrack(trackB, List.of(name)));
                owner.call(() -> negotiate(a, b));
                await().atMost(PAIR_TIMEOUT).until(() -> owner.call(() -> a.connectionState() == RTCPeerConnectionState.CONNECTED
                        && b.connectionState() == RTCPeerConnectionState.CONNECTED));
                // a's sender waited for the connection before it could start (HeldAudioSenders): its tone must arrive.
                await(name + ": a's tone at b").atMost(PAIR_TIMEOUT).until(() -> loudFramesAtB.count() > 0);
                // Stops a's send stream, then starts a new one, both inside our calls.
                owner.call(() -> {
                    a.removeTrack(senderA);
                    return negotiate(a, b);
                });
                RTCRtpSender again = owner.call(() -> a.addTrack(trackA, List.of(name)));
                owner.call(() -> negotiate(a, b));
                owner.call(() -> {
                    heardAtB.removeSink(loudFramesAtB);
                    a.removeTrack(again);
                    b.removeTrack(senderB);
                    a.close();
                    b.close();
                    return null;
                });
            } finally {
                toneA.close();
                toneB.close();
                owner.shutdown();
            }
            trackA.dispose();
            trackB.dispose();
            sourceA.dispose();
            sourceB.dispose();
        }

        private static RTCSessionDescription negotiate(Peer offerer, Peer answerer) {
            RTCSessionDescription offer = offerer.createOffer(false);
            answerer.setRemoteDescription(offer);
            RTCSessionDescription answer = answerer.createAnswer();
            offerer.setRemoteDescription(answer);
            return answer;
        }
    }

    /** Counts received 10 ms frames with a sample above the noise floor (a decoded tone, not silence). */
    private static final class LoudFrames implements AudioTrackSink {
        private final AtomicLong loud = new AtomicLong();

        @Override
        public void onData(byte[] data, int bitsPerSample, int sampleRate, int channels, int frames) {
            for (int i = 0; i + 1 < data.length; i += 2) {
                if (Math.abs((short) ((data[i] & 0xff) | (data[i + 1] << 8))) > 1000) {
                    loud.incrementAndGet();
                    return;
                }
            }
        }

        long count() {
            return loud.get();
        }
    }

    /** A quiet 440 Hz tone, 48 kHz mono, counting how often the pump read it; the probe sends nothing. */
    private record CountingTone(AtomicLong reads, boolean skip) implements AudioPump.Producer {
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
            long n = reads.incrementAndGet();
            if (skip) {
                return -1;
            }
            for (int i = 0; i < into.length; i++) {
                into[i] = (short) (3000 * Math.sin(2 * Math.PI * 440 * (n * into.length + i) / 48000.0));
            }
            return into.length;
        }
    }
}
