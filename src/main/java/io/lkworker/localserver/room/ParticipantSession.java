package io.lkworker.localserver.room;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import io.lkworker.webrtc.DataChannelLink;
import io.lkworker.webrtc.IceCandidates;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.Peer;
import io.lkworker.webrtc.Sdp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import livekit.LivekitModels.ClientInfo;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import livekit.LivekitRtc.TrickleRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant on the development server: its signalling connection and the server's two peer
 * connections with it, as on a real LiveKit server with the subscriber connection primary — the
 * publisher connection receives what the participant publishes (the participant offers), the
 * subscriber connection sends it the room's tracks and data (the server offers, with the
 * {@code _reliable} and {@code _lossy} channels it creates).
 *
 * <p>The signalling connection may change: when it drops, the participant (its peer connections,
 * tracks and subscriptions) waits for a resume on a new connection ({@link #resumeOn}), as on the real
 * server (livekit/livekit pkg/rtc/room.go ResumeParticipant). While it is down, messages for it are
 * dropped, like the real server does; the resume resends the room's state.
 *
 * <p>Threads: each connection's own thread only reads signalling frames and hands them to the room
 * thread; everything else here runs on the room thread. Sends only queue (see {@link SignalOutbox}).
 */
final class ParticipantSession {

    private static final Logger log = LoggerFactory.getLogger(ParticipantSession.class);

    final TokenClaims claims;
    final boolean autoSubscribe;
    /** What the client said about itself when it connected. */
    final ClientInfo client;
    private final LocalRoom room;
    private SignalLink link;
    private ParticipantInfo info;
    private Peer publisher;
    private Peer subscriber;
    private SubscriberOffers offers;
    private DataChannelLink reliableOut;
    private DataChannelLink lossyOut;
    /** Where this participant's data messages wait for the room thread, bounded. */
    private BoundedInbox dataInbox;
    private final List<DataChannelLink> clientChannels = new ArrayList<>();
    /** AddTrackRequests answered, waiting for their media: by cid. */
    private final Map<String, TrackInfo> pendingTracks = new LinkedHashMap<>();
    /** Media received before its AddTrackRequest, by track id. Room thread. */
    private final Map<String, MediaStreamTrack> unannouncedMedia = new LinkedHashMap<>();
    /** What this participant receives: track sid → the sender on its subscriber connection. */
    private final Map<String, RTCRtpSender> subscriptions = new HashMap<>();
    /** Reliable data accepted from this participant, for replays after a resume. */
    final ReliableSequence reliableSequence = new ReliableSequence();
    /** Participants that left while this one's signalling was down: told on its resume. */
    private final Map<String, ParticipantInfo> departedWhileAway = new LinkedHashMap<>();
    private RTCPeerConnectionState publisherState = RTCPeerConnectionState.NEW;
    private RTCPeerConnectionState subscriberState = RTCPeerConnectionState.NEW;
    /** Pending removal while waiting for a resume (signalling down, or a transport failed). */
    private ScheduledFuture<?> removalTimer;
    /** A transport failed and the client was told to resume: removal waits for the 5 s cleanup timer. */
    private boolean awaitingIceRestart;
    private volatile boolean closed;
    private volatile int connections = 1;
    private volatile int resumes;

    ParticipantSession(LocalRoom room, SignalLink link, TokenClaims claims, boolean autoSubscribe,
                       ClientInfo client, ParticipantInfo info) {
        this.room = room;
        this.link = link;
        this.claims = claims;
        this.autoSubscribe = autoSubscribe;
        this.client = client;
        this.info = info;
    }

    ParticipantInfo info() {
        return info;
    }

    void setInfo(ParticipantInfo newInfo) {
        this.info = newInfo;
    }

    String identity() {
        return claims.identity();
    }

    String sid() {
        return info.getSid();
    }

    boolean isClosed() {
        return closed;
    }

    /** The current signalling connection (possibly down). */
    SignalLink link() {
        return link;
    }

    boolean signalUp() {
        return link != null && link.isUp();
    }

    /** Signalling connections this participant has had (the join's and one per resume). */
    int connections() {
        return connections;
    }

    int resumes() {
        return resumes;
    }

    // ---- signalling ------------------------------------------------------------------------------

    /** Queues a message for the client; dropped while its signalling is down. Any thread. */
    void send(SignalResponse response) {
        SignalLink current = link;
        if (current != null && (!closed || response.hasLeave())) {
            current.send(response);
        }
    }

    /** A participant left while this one's signalling was down: it is told on its resume. */
    void noteDeparture(ParticipantInfo gone) {
        departedWhileAway.put(gone.getIdentity(), gone);
    }

    /** The departures noted while away, once. */
    List<ParticipantInfo> takeDepartures() {
        List<ParticipantInfo> out = new ArrayList<>(departedWhileAway.values());
        departedWhileAway.clear();
        return out;
    }

    /** A resume: the new connection replaces the old one, which is dropped if still open. Room thread. */
    void resumeOn(SignalLink newLink) {
        SignalLink old = link;
        link = newLink;
        connections++;
        resumes++;
        awaitingIceRestart = false;
        cancelRemoval();
        if (old != null && old != newLink) {
            old.fail(new SignalLink.End("replaced by a resumed connection", true));
        }
    }

    /** The subscriber connection restarts ICE with a new server offer (the last one's answer was lost). */
    void restartSubscriberIce() {
        if (!closed) {
            offers.restartIce();
        }
    }

    /** Removal of this participant in {@code delayMillis} unless a resume comes first. Room thread. */
    void armRemoval(ScheduledFuture<?> timer) {
        cancelRemoval();
        removalTimer = timer;
    }

    boolean awaitingIceRestart() {
        return awaitingIceRestart;
    }

    void setAwaitingIceRestart(boolean awaiting) {
        awaitingIceRestart = awaiting;
    }

    boolean removalArmed() {
        return removalTimer != null;
    }

    void cancelRemoval() {
        if (removalTimer != null) {
            removalTimer.cancel(false);
            removalTimer = null;
        }
    }

    /** True once either peer connection reached CONNECTED and is no longer. */
    static boolean mediaLeftConnected(RTCPeerConnectionState previous, RTCPeerConnectionState now) {
        return previous == RTCPeerConnectionState.CONNECTED && now != RTCPeerConnectionState.CONNECTED;
    }

    /** Records a transport's new state and returns the previous one. */
    RTCPeerConnectionState transportState(boolean publisherSide, RTCPeerConnectionState state) {
        RTCPeerConnectionState previous = publisherSide ? publisherState : subscriberState;
        if (publisherSide) {
            publisherState = state;
        } else {
            subscriberState = state;
        }
        return previous;
    }

    // ---- media set-up ------------------------------------------------------------------------------

    /** Creates both peer connections and the server's data channels. Room thread. */
    void startMedia(MediaEngine engine, Executor roomThread) {
        publisher = new Peer(engine, identity() + "/publisher", List.of(), roomThread, new PublisherListener());
        subscriber = new Peer(engine, identity() + "/subscriber", List.of(), roomThread, new SubscriberListener());
        offers = new SubscriberOffers(subscriber, offer -> {
            send(SignalResponse.newBuilder().setOffer(offer).build());
            log.debug("{}: subscriber offer {} sent", identity(), offer.getId());
        });
        RTCDataChannelInit lossy = new RTCDataChannelInit();
        lossy.ordered = false;
        lossy.maxRetransmits = 0;
        dataInbox = new BoundedInbox(roomThread, BoundedInbox.MAX_PENDING_DATA_MESSAGES,
                () -> room.onDataFlood(this));
        reliableOut = new DataChannelLink(subscriber.createDataChannel("_reliable", new RTCDataChannelInit()), dataInbox,
                bytes -> room.onData(this, bytes, true), s -> { });
        lossyOut = new DataChannelLink(subscriber.createDataChannel("_lossy", lossy), dataInbox,
                bytes -> room.onData(this, bytes, false), s -> { });
    }

    void negotiateSubscriber() {
        if (!closed) {
            offers.negotiate();
        }
    }

    /** The participant offered its publisher connection: answer it, echoing the offer's id. */
    void onPublisherOffer(SessionDescription offer) {
        log.debug("{}: publisher offer {} received", identity(), offer.getId());
        publisher.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer.getSdp()));
        RTCSessionDescription answer = publisher.createAnswer();
        // 10 ms packets from the participant: this development server decodes and re-encodes, so every
        // millisecond of packetisation counts twice on an echo path (RoomBenchmark).
        send(SignalResponse.newBuilder().setAnswer(SessionDescription.newBuilder().setType("answer")
                .setSdp(Sdp.withAudioPtime(answer.sdp, 10)).setId(offer.getId())).build());
        log.debug("{}: publisher offer {} answered", identity(), offer.getId());
    }

    void onSubscriberAnswer(SessionDescription answer) {
        log.debug("{}: subscriber answer {} received", identity(), answer.getId());
        if (!offers.onAnswer(answer)) {
            log.debug("{}: ignoring an unexpected subscriber answer", identity());
        }
    }

    void onTrickle(TrickleRequest trickle) {
        RTCIceCandidate candidate;
        try {
            candidate = IceCandidates.fromJson(trickle.getCandidateInit());
        } catch (IllegalArgumentException e) {
            log.debug("{}: ignoring an ICE candidate: {}", identity(), e.getMessage());
            return;
        }
        if (candidate.sdp.isBlank()) {
            return;
        }
        (trickle.getTarget() == SignalTarget.PUBLISHER ? publisher : subscriber).addIceCandidate(candidate);
    }

    // ---- tracks --------------------------------------------------------------------------------------

    void addPendingTrack(String cid, TrackInfo track) {
        pendingTracks.put(cid, track);
    }

    /**
     * Media whose AddTrackRequest has not come yet (a client that offers a track together with its request),
     * kept until it does, as the real server keeps it (livekit/livekit, pkg/rtc/participant.go,
     * {@code pendingRemoteTracks}).
     */
    void holdUnannouncedMedia(MediaStreamTrack track) {
        unannouncedMedia.put(track.getId(), track);
    }

    /** Held media stopped before its request came. */
    void dropUnannouncedMedia(String trackId) {
        unannouncedMedia.remove(trackId);
    }

    /** Media held for the track announced as {@code cid}: by id, else the first held one of its kind; or null. */
    MediaStreamTrack takeUnannouncedMedia(String cid, String kind) {
        MediaStreamTrack byId = unannouncedMedia.remove(cid);
        if (byId != null) {
            return byId;
        }
        for (Map.Entry<String, MediaStreamTrack> e : unannouncedMedia.entrySet()) {
            if (e.getValue().getKind().equals(kind)) {
                unannouncedMedia.remove(e.getKey());
                return e.getValue();
            }
        }
        return null;
    }

    /** The TrackInfo announced for media with this track id: by cid, else the first pending one of its kind. */
    TrackInfo takePendingTrack(String trackId, livekit.LivekitModels.TrackType type) {
        TrackInfo byCid = pendingTracks.remove(trackId);
        if (byCid != null) {
            return byCid;
        }
        for (Map.Entry<String, TrackInfo> e : pendingTracks.entrySet()) {
            if (e.getValue().getType() == type) {
                pendingTracks.remove(e.getKey());
                return e.getValue();
            }
        }
        return null;
    }

    boolean isSubscribedTo(String trackSid) {
        return subscriptions.containsKey(trackSid);
    }

    Peer subscriberPeer() {
        return subscriber;
    }

    void addSubscription(String trackSid, RTCRtpSender sender) {
        subscriptions.put(trackSid, sender);
    }

    /** Stops sending {@code trackSid} here; true if it was sent (the caller renegotiates). */
    boolean removeSubscription(String trackSid) {
        RTCRtpSender sender = subscriptions.remove(trackSid);
        if (sender == null) {
            return false;
        }
        if (!closed) {
            subscriber.removeTrack(sender);
        }
        return true;
    }

    // ---- data ------------------------------------------------------------------------------------------

    /** Sends a data packet on the server's channel of that kind; false if it is not open. */
    boolean deliver(byte[] packet, boolean reliable) {
        DataChannelLink link = reliable ? reliableOut : lossyOut;
        return link != null && link.send(packet);
    }

    // ---- teardown ----------------------------------------------------------------------------------------

    /**
     * Ends the session: optional last message (a leave), then the signalling connection, then media in
     * libwebrtc's order. Subscriptions' senders die with the subscriber connection. Room thread.
     */
    void close(SignalResponse lastMessage) {
        if (closed) {
            return;
        }
        closed = true;
        cancelRemoval();
        if (link != null) {
            link.close(lastMessage, new SignalLink.End("participant removed", false));
        }
        List<DataChannelLink> channels = new ArrayList<>(clientChannels);
        if (reliableOut != null) {
            channels.add(reliableOut);
            channels.add(lossyOut);
        }
        channels.forEach(DataChannelLink::close);
        if (publisher != null) {
            quietly(publisher::close);
        }
        if (subscriber != null) {
            quietly(subscriber::close);
        }
        channels.forEach(c -> quietly(c::dispose));
        subscriptions.clear();
    }

    private void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.debug("{}: teardown step failed: {}", identity(), e.toString());
        }
    }

    private final class PublisherListener implements Peer.Listener {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            send(SignalResponse.newBuilder().setTrickle(TrickleRequest.newBuilder()
                    .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(SignalTarget.PUBLISHER)).build());
        }

        @Override
        public void onConnectionState(RTCPeerConnectionState state) {
            room.onTransportState(ParticipantSession.this, true, state);
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            room.onPublishedMedia(ParticipantSession.this, transceiver.getReceiver().getTrack());
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            room.onUnpublishedMedia(ParticipantSession.this, receiver.getTrack().getId());
        }

        @Override
        public void onDataChannel(RTCDataChannel channel) {
            String label = channel.getLabel();
            boolean reliable = !"_lossy".equals(label);
            clientChannels.add(new DataChannelLink(channel, dataInbox,
                    bytes -> room.onData(ParticipantSession.this, bytes, reliable), s -> { }));
        }
    }

    private final class SubscriberListener implements Peer.Listener {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            send(SignalResponse.newBuilder().setTrickle(TrickleRequest.newBuilder()
                    .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(SignalTarget.SUBSCRIBER)).build());
        }

        @Override
        public void onConnectionState(RTCPeerConnectionState state) {
            room.onTransportState(ParticipantSession.this, false, state);
        }
    }

    @Override
    public String toString() {
        return "participant " + identity() + " (" + (info == null ? "" : info.getSid()) + ")";
    }
}
