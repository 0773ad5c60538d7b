package io.lkworker.localserver.room;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.lkworker.webrtc.DataChannelLink;
import io.lkworker.webrtc.IceCandidates;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import livekit.LivekitRtc.TrickleRequest;

/**
 * A minimal LiveKit participant for server tests: the raw signalling client plus one libwebrtc peer
 * connection answering the server's subscriber offers, over which it sends and receives data on the
 * server's {@code _reliable} channel. No publisher connection, no media. Its signalling can be swapped
 * for a resumed connection ({@link #useSignalling}); the peer connection stays.
 */
final class WebRtcSignalClient implements AutoCloseable {

    private final OwnerThread owner;
    private final Peer subscriber;
    private volatile RawSignalClient signal;
    private volatile DataChannelLink reliable;
    /** Data packets received on the reliable channel, in order. */
    final List<DataPacket> received = new CopyOnWriteArrayList<>();
    final List<RTCPeerConnectionState> states = new CopyOnWriteArrayList<>();

    WebRtcSignalClient(RawSignalClient signal, String name) {
        this.owner = new OwnerThread("test-peer-" + name);
        this.subscriber = new Peer(MediaEngine.shared(), name + "/subscriber", List.of(), owner.executor(),
                new Peer.Listener() {
                    @Override
                    public void onIceCandidate(RTCIceCandidate candidate) {
                        sendQuietly(SignalRequest.newBuilder().setTrickle(TrickleRequest.newBuilder()
                                .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(SignalTarget.SUBSCRIBER)).build());
                    }

                    @Override
                    public void onConnectionState(RTCPeerConnectionState state) {
                        states.add(state);
                    }

                    @Override
                    public void onDataChannel(RTCDataChannel channel) {
                        if (channel.getLabel().equals("_reliable")) {
                            reliable = new DataChannelLink(channel, owner.executor(), bytes -> {
                                try {
                                    received.add(DataPacket.parseFrom(bytes));
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            }, s -> { });
                        }
                    }
                });
        useSignalling(signal);
    }

    /** Answers offers and takes candidates from this connection from now on (a resumed one). */
    void useSignalling(RawSignalClient s) {
        signal = s;
        s.onMessage(r -> owner.executor().execute(() -> handle(r)));
        // Messages that arrived before the listener was set (the first offer after a join or resume).
        s.received.forEach(r -> owner.executor().execute(() -> handle(r)));
    }

    private final java.util.Set<SignalResponse> handled = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());

    private void handle(SignalResponse r) {
        if (!handled.add(r)) {
            return;
        }
        if (r.hasOffer()) {
            subscriber.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, r.getOffer().getSdp()));
            RTCSessionDescription answer = subscriber.createAnswer();
            sendQuietly(SignalRequest.newBuilder().setAnswer(SessionDescription.newBuilder().setType("answer")
                    .setSdp(answer.sdp).setId(r.getOffer().getId())).build());
        } else if (r.hasTrickle() && r.getTrickle().getTarget() == SignalTarget.SUBSCRIBER) {
            RTCIceCandidate c = IceCandidates.fromJson(r.getTrickle().getCandidateInit());
            if (!c.sdp.isBlank()) {
                subscriber.addIceCandidate(c);
            }
        }
    }

    private void sendQuietly(SignalRequest request) {
        try {
            signal.send(request);
        } catch (IOException e) {
            // signalling down: the test is cutting it
        }
    }

    boolean dataOpen() {
        DataChannelLink l = reliable;
        return l != null && l.isOpen();
    }

    boolean connected() {
        return !states.isEmpty() && states.get(states.size() - 1) == RTCPeerConnectionState.CONNECTED;
    }

    boolean sendData(DataPacket packet) {
        return reliable.send(packet.toByteArray());
    }

    /** A crash: the peer connection goes away without a leave. */
    void closePeer() {
        try {
            owner.call(() -> {
                if (reliable != null) {
                    reliable.close();
                }
                subscriber.close();
                return null;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        signal.close();
        closePeer();
        owner.shutdown();
    }
}
