package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.webrtc.IceCandidates;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import livekit.LivekitModels;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc.AddTrackRequest;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import livekit.LivekitRtc.TrickleRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A client that offers a track before its AddTrackRequest reaches the server (as LiveKit's clients may
 * when the JoinResponse lists publish codecs): the server keeps the media and publishes it when the
 * request comes, as LiveKit's does (livekit/livekit, pkg/rtc/participant.go, {@code pendingRemoteTracks}).
 */
@Tag("rtc")
class UnannouncedMediaTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private LocalLiveKitServer server;
    private RawSignalClient signal;
    private OwnerThread owner;
    private Peer publisher;
    private CustomAudioSource source;
    private AudioTrack track;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        owner = new OwnerThread("test-unannounced");
    }

    @AfterEach
    void stop() throws Exception {
        if (signal != null) {
            signal.close();
        }
        owner.call(() -> {
            if (publisher != null) {
                publisher.close();
            }
            if (track != null) {
                track.dispose();
                source.dispose();
            }
            return null;
        });
        owner.shutdown();
        server.close();
    }

    @Test
    void mediaOfferedBeforeItsAddTrackRequestIsPublishedWhenTheRequestComes() throws Exception {
        signal = RawSignalClient.join(server.port(), "held", "alice");
        SignalResponse first = signal.next(SignalResponse::hasJoin, WAIT);
        assertThat(first).as("join response").isNotNull();
        JoinResponse join = first.getJoin();
        assertThat(join.getEnabledPublishCodecsList()).isNotEmpty();

        String cid = "TR_held";
        RTCSessionDescription offer = owner.call(() -> {
            publisher = new Peer(MediaEngine.shared(), "alice/publisher", List.of(), owner.executor(), new Peer.Listener() {
                @Override
                public void onIceCandidate(RTCIceCandidate candidate) {
                    sendQuietly(SignalRequest.newBuilder().setTrickle(TrickleRequest.newBuilder()
                            .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(SignalTarget.PUBLISHER)).build());
                }
            });
            source = new CustomAudioSource();
            track = MediaEngine.shared().factory().createAudioTrack(cid, source);
            publisher.addTrack(track, List.of(cid));
            return publisher.createOffer(false);
        });
        signal.onMessage(r -> owner.executor().execute(() -> {
            if (r.hasAnswer()) {
                publisher.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, r.getAnswer().getSdp()));
            } else if (r.hasTrickle() && r.getTrickle().getTarget() == SignalTarget.PUBLISHER) {
                RTCIceCandidate c = IceCandidates.fromJson(r.getTrickle().getCandidateInit());
                if (!c.sdp.isBlank()) {
                    publisher.addIceCandidate(c);
                }
            }
        }));
        signal.send(SignalRequest.newBuilder().setOffer(SessionDescription.newBuilder().setType("offer")
                .setSdp(offer.sdp).setId(1)).build());
        // The server answers after taking the offer (its media included): only then the request.
        assertThat(signal.next(SignalResponse::hasAnswer, WAIT)).as("the server's answer").isNotNull();
        assertThat(tracksOfAlice()).as("media without a request is not published").isEmpty();

        signal.send(SignalRequest.newBuilder().setAddTrack(AddTrackRequest.newBuilder().setCid(cid).setName("tone")
                .setType(LivekitModels.TrackType.AUDIO).setSource(LivekitModels.TrackSource.MICROPHONE)).build());

        SignalResponse published = signal.next(SignalResponse::hasTrackPublished, WAIT);
        assertThat(published).isNotNull();
        assertThat(published.getTrackPublished().getCid()).isEqualTo(cid);
        await().atMost(WAIT).until(() -> tracksOfAlice().size() == 1);
        assertThat(tracksOfAlice().get(0).getName()).isEqualTo("tone");
        assertThat(tracksOfAlice().get(0).getSid()).isEqualTo(published.getTrackPublished().getTrack().getSid());
    }

    private List<LivekitModels.TrackInfo> tracksOfAlice() {
        return server.participants("held").orElse(List.of()).stream()
                .filter(p -> p.getIdentity().equals("alice")).findFirst()
                .map(ParticipantInfo::getTracksList).orElse(List.of());
    }

    private void sendQuietly(SignalRequest request) {
        try {
            signal.send(request);
        } catch (IOException e) {
            // the test is ending
        }
    }
}
