package io.lkworker.rtc;

import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.webrtc.AudioPump;
import io.lkworker.webrtc.DataChannelLink;
import io.lkworker.webrtc.IceCandidates;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import io.lkworker.webrtc.Peer;
import io.lkworker.webrtc.Sdp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.JoinResponse;
import livekit.LivekitRtc.SessionDescription;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import livekit.LivekitRtc.SignalTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room connection: the signalling WebSocket, the publisher and subscriber peer connections,
 * data channels, pings, and the participant model ({@link ParticipantTracker}).
 *
 * <p><b>Threads and ownership.</b> The session thread ({@code lk-rtc-N}) owns all mutable state:
 * signalling messages, libwebrtc callbacks and timers are all handed to it. Public operations called
 * from agent threads (publish, data, metadata, disconnect) run their steps on the session thread and
 * wait on the agent's thread for the server's answers, so the session thread never waits for the
 * network. Listener events go out on the room's event thread ({@link RoomEvents}).
 *
 * <p><b>Flow</b> (rtc-signalling reference §2): join → {@code JoinResponse}; the subscriber
 * connection is answered when the server offers it (LiveKit makes it primary), and the publisher
 * connection, with the {@code _reliable} and {@code _lossy} data channels, is offered at once so that
 * publishing and data need no further set-up. {@code connect()} returns when both are up.
 */
final class RtcSession implements SignalConnection.Listener {

    private static final Logger log = LoggerFactory.getLogger(RtcSession.class);
    /** Server confirmation of a track, and the renegotiation after it: JS and Rust clients wait 10 s. */
    static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    /** Server confirmation of a metadata, name or attribute update. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Data channels are bounded by memory, not by the network: refuse to queue more than this. */
    static final long MAX_BUFFERED_DATA = 16L << 20;
    static final String RELIABLE = "_reliable";
    static final String LOSSY = "_lossy";
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final ConnectOptions options;
    private final MediaEngine engine;
    /** The session thread; {@link #exec} hands it work and drops work once the session is over. */
    private final OwnerThread owner;
    final Executor exec;
    final RoomEvents events;
    final ParticipantTracker participants;
    private final RtcRoom room;
    private SignalConnection signal;
    private Peer publisher;
    private Peer subscriber;
    private PublisherNegotiation negotiation;
    private final Map<String, DataChannelLink> publisherChannels = new HashMap<>();
    private final List<DataChannelLink> subscriberChannels = new ArrayList<>();
    private final CompletableFuture<JoinResponse> joined = new CompletableFuture<>();
    private final CompletableFuture<Void> subscriberUp = new CompletableFuture<>();
    private final CompletableFuture<Void> publisherUp = new CompletableFuture<>();
    private final CompletableFuture<Void> reliableOpen = new CompletableFuture<>();
    private final CompletableFuture<Void> lossyOpen = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private final Map<String, CompletableFuture<TrackInfo>> pendingPublishes = new HashMap<>();
    private final Map<Integer, PendingUpdate> pendingUpdates = new HashMap<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile LivekitModels.Room roomInfo = LivekitModels.Room.getDefaultInstance();
    private ScheduledFuture<?> pinger;
    private long lastMessageNanos = System.nanoTime();
    private long rttMillis;
    private int reliableSequence;

    /** A metadata/name/attributes update waiting for the server's confirmation. */
    private record PendingUpdate(CompletableFuture<Void> done, String metadata, String name, Map<String, String> attributes) {
        boolean appliedIn(ParticipantInfo info) {
            return (metadata == null || metadata.equals(info.getMetadata()))
                    && (name == null || name.equals(info.getName()))
                    && attributes.entrySet().stream().allMatch(e -> e.getValue().isEmpty()
                    ? !info.getAttributesMap().containsKey(e.getKey())
                    : e.getValue().equals(info.getAttributesMap().get(e.getKey())));
        }
    }

    RtcSession(ConnectOptions options) {
        this.options = options;
        this.engine = MediaEngine.shared();
        int n = SESSIONS.incrementAndGet();
        this.owner = new OwnerThread("lk-rtc-" + n);
        this.exec = owner.executor();
        this.events = new RoomEvents("lk-rtc-" + n + "-events");
        this.participants = new ParticipantTracker(this, events);
        this.room = new RtcRoom(this);
    }

    RtcRoom room() {
        return room;
    }

    ConnectionState state() {
        return state;
    }

    LivekitModels.Room roomInfo() {
        return roomInfo;
    }

    CompletableFuture<String> disconnectedFuture() {
        return disconnected;
    }

    // ---- connect ------------------------------------------------------------------------------

    /** Joins; returns when signalling and media are up. Agent thread. */
    void connect(String url, String token) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        try {
            signal = new SignalConnection(SignalUrl.rtc(url, options.autoSubscribe()), token, options.timeout(), exec, this);
            signal.open(options.timeout());
            JoinResponse join = await(joined, deadline, "the server's answer to the join");
            if (join.getSubscriberPrimary()) {
                await(subscriberUp, deadline, "the subscriber media connection (ICE/DTLS)");
            }
            await(publisherUp, deadline, "the publisher media connection (ICE/DTLS)");
            call(() -> {
                if (state == ConnectionState.CONNECTING) {
                    state = ConnectionState.CONNECTED;
                }
                return null;
            });
            if (state != ConnectionState.CONNECTED) {
                throw new RoomException("room disconnected while connecting: " + disconnected.getNow("unknown"));
            }
            log.info("joined room {} as {} ({})", join.getRoom().getName(), join.getParticipant().getIdentity(),
                    join.getParticipant().getSid());
        } catch (RoomException e) {
            disconnect("JOIN_FAILURE", true);
            throw e;
        }
    }

    @Override
    public void onMessage(SignalResponse m) {
        lastMessageNanos = System.nanoTime();
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        if (!joined.isDone()) {
            if (m.hasJoin()) {
                onJoin(m.getJoin());
            } else if (m.hasLeave()) {
                String reason = m.getLeave().getReason().name();
                joined.completeExceptionally(new RoomException("the server refused the join (" + reason + ")"));
            }
            return; // like the Rust client: nothing counts before the join response
        }
        switch (m.getMessageCase()) {
            case OFFER -> onSubscriberOffer(m.getOffer());
            case ANSWER -> negotiation.onAnswer(m.getAnswer());
            case TRICKLE -> onTrickle(m.getTrickle());
            case UPDATE -> participants.onUpdate(m.getUpdate().getParticipantsList());
            case TRACK_PUBLISHED -> {
                CompletableFuture<TrackInfo> f = pendingPublishes.remove(m.getTrackPublished().getCid());
                if (f != null) {
                    f.complete(m.getTrackPublished().getTrack());
                }
            }
            case TRACK_UNPUBLISHED -> onServerUnpublished(m.getTrackUnpublished().getTrackSid());
            case LEAVE -> onLeave(m.getLeave());
            case ROOM_UPDATE -> roomInfo = m.getRoomUpdate().getRoom();
            case PONG_RESP -> rttMillis = Math.max(0, System.currentTimeMillis() - m.getPongResp().getLastPingTimestamp());
            case REQUEST_RESPONSE -> onRequestResponse(m.getRequestResponse());
            case SUBSCRIPTION_RESPONSE -> log.warn("subscription to track {} failed: {}",
                    m.getSubscriptionResponse().getTrackSid(), m.getSubscriptionResponse().getErr());
            case MUTE -> participants.onServerMute(m.getMute().getSid(), m.getMute().getMuted());
            default -> {
                // speaker, quality, stream-state and token-refresh updates need nothing from an agent
            }
        }
    }

    private void onJoin(JoinResponse join) {
        roomInfo = join.getRoom();
        participants.onJoin(join);
        List<RTCIceServer> ice = iceServers(join);
        subscriber = new Peer(engine, "subscriber", ice, exec, new TransportListener(SignalTarget.SUBSCRIBER));
        publisher = new Peer(engine, "publisher", ice, exec, new TransportListener(SignalTarget.PUBLISHER));
        negotiation = new PublisherNegotiation(publisher, offer -> send(SignalRequest.newBuilder().setOffer(offer).build()));
        RTCDataChannelInit reliable = new RTCDataChannelInit();
        RTCDataChannelInit lossy = new RTCDataChannelInit();
        lossy.ordered = false;
        lossy.maxRetransmits = 0;
        publisherChannels.put(RELIABLE, publisherChannel(RELIABLE, reliable, reliableOpen));
        publisherChannels.put(LOSSY, publisherChannel(LOSSY, lossy, lossyOpen));
        negotiation.negotiate().whenComplete((ok, e) -> {
            if (e != null) {
                publisherUp.completeExceptionally(new RoomException("publisher negotiation failed: " + e.getMessage(), e));
            }
        });
        if (!join.getSubscriberPrimary()) {
            subscriberUp.complete(null);
        }
        long interval = Math.max(1, join.getPingInterval());
        long timeout = join.getPingTimeout() > 0 ? join.getPingTimeout() : 15;
        pinger = owner.scheduleAtFixedRate(() -> ping(timeout), TimeUnit.SECONDS.toMillis(interval));
        joined.complete(join);
    }

    private DataChannelLink publisherChannel(String label, RTCDataChannelInit init, CompletableFuture<Void> open) {
        return new DataChannelLink(publisher.createDataChannel(label, init), exec, this::onData, s -> {
            if (s == RTCDataChannelState.OPEN) {
                open.complete(null);
            }
        });
    }

    private static List<RTCIceServer> iceServers(JoinResponse join) {
        List<RTCIceServer> servers = new ArrayList<>();
        for (LivekitRtc.ICEServer s : join.getIceServersList()) {
            RTCIceServer server = new RTCIceServer();
            server.urls = new ArrayList<>(s.getUrlsList());
            server.username = s.getUsername();
            server.password = s.getCredential();
            servers.add(server);
        }
        return servers;
    }

    private void onSubscriberOffer(SessionDescription offer) {
        try {
            participants.noteMidToTrackIds(offer.getMidToTrackIdMap());
            subscriber.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offer.getSdp()));
            RTCSessionDescription answer = subscriber.createAnswer();
            // 10 ms packets asked of the sender: a forwarding SFU ignores it, a server that re-encodes
            // (lk-worker dev) then adds 10 ms less delay per hop.
            send(SignalRequest.newBuilder().setAnswer(SessionDescription.newBuilder().setType("answer")
                    .setSdp(Sdp.withAudioPtime(answer.sdp, 10)).setId(offer.getId())).build());
        } catch (RuntimeException e) {
            log.error("cannot answer the server's subscriber offer", e);
            subscriberUp.completeExceptionally(new RoomException("subscriber negotiation failed: " + e.getMessage(), e));
            if (state == ConnectionState.CONNECTED) {
                shutdown("MEDIA_FAILURE", true);
            }
        }
    }

    private void onTrickle(LivekitRtc.TrickleRequest trickle) {
        RTCIceCandidate candidate;
        try {
            candidate = IceCandidates.fromJson(trickle.getCandidateInit());
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a trickled ICE candidate: {}", e.getMessage());
            return;
        }
        if (candidate.sdp == null || candidate.sdp.isBlank()) {
            return; // end of candidates
        }
        (trickle.getTarget() == SignalTarget.PUBLISHER ? publisher : subscriber).addIceCandidate(candidate);
    }

    private void onLeave(LivekitRtc.LeaveRequest leave) {
        String reason = leave.getReason() == LivekitModels.DisconnectReason.UNKNOWN_REASON
                ? "SERVER_REQUESTED" : leave.getReason().name();
        if (leave.getAction() != LivekitRtc.LeaveRequest.Action.DISCONNECT) {
            log.warn("the server asked this client to {} ({}); lk-worker's room client does not resume sessions,"
                    + " so the room disconnects", leave.getAction().name().toLowerCase(), reason);
        }
        shutdown(reason, false);
    }

    private void ping(long timeoutSeconds) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        if (System.nanoTime() - lastMessageNanos > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
            log.warn("no message from the LiveKit server for {} s; the signalling connection is lost", timeoutSeconds);
            shutdown("SIGNAL_CLOSE", false);
            return;
        }
        long now = System.currentTimeMillis();
        send(SignalRequest.newBuilder().setPingReq(LivekitRtc.Ping.newBuilder().setTimestamp(now).setRtt(rttMillis)).build());
    }

    @Override
    public void onClosed(String why) {
        if (state != ConnectionState.DISCONNECTED) {
            log.warn("signalling connection {}", why);
            shutdown("SIGNAL_CLOSE", false);
        }
    }

    // ---- remote media and data -----------------------------------------------------------------

    /** Callbacks of one peer connection, on the session thread. */
    private final class TransportListener implements Peer.Listener {
        private final SignalTarget target;

        TransportListener(SignalTarget target) {
            this.target = target;
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            send(SignalRequest.newBuilder().setTrickle(LivekitRtc.TrickleRequest.newBuilder()
                    .setCandidateInit(IceCandidates.toJson(candidate)).setTarget(target)).build());
        }

        @Override
        public void onConnectionState(RTCPeerConnectionState s) {
            CompletableFuture<Void> up = target == SignalTarget.PUBLISHER ? publisherUp : subscriberUp;
            switch (s) {
                case CONNECTED -> up.complete(null);
                case FAILED -> {
                    up.completeExceptionally(new RoomException("the " + target.name().toLowerCase()
                            + " media connection failed (ICE/DTLS)"));
                    if (state == ConnectionState.CONNECTED) {
                        log.warn("the {} media connection failed", target.name().toLowerCase());
                        shutdown("MEDIA_FAILURE", true);
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            if (target == SignalTarget.SUBSCRIBER) {
                MediaStreamTrack track = transceiver.getReceiver().getTrack();
                participants.onRemoteTrack(track, transceiver.getMid());
            }
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            if (target == SignalTarget.SUBSCRIBER) {
                participants.onRemoteTrackRemoved(receiver.getTrack().getId());
            }
        }

        @Override
        public void onDataChannel(dev.onvoid.webrtc.RTCDataChannel channel) {
            // LiveKit creates _reliable and _lossy on the subscriber connection when it is primary.
            subscriberChannels.add(new DataChannelLink(channel, exec, RtcSession.this::onData, st -> { }));
        }
    }

    private void onData(byte[] bytes) {
        DataPacket packet;
        try {
            packet = DataPacket.parseFrom(bytes);
        } catch (Exception e) {
            log.debug("ignoring an undecodable data packet ({} bytes)", bytes.length);
            return;
        }
        if (packet.hasUser()) {
            participants.onUserData(packet);
        }
    }

    // ---- operations from agent threads --------------------------------------------------------

    LocalTrackPublicationImpl publishAudio(LocalAudioTrack track, TrackPublishOptions options) {
        requireConnected();
        String cid = "TR_" + UUID.randomUUID();
        CompletableFuture<TrackInfo> confirmed = call(() -> {
            if (participants.local().publicationOf(track) != null) {
                throw new IllegalStateException(track + " is already published");
            }
            CompletableFuture<TrackInfo> f = new CompletableFuture<>();
            pendingPublishes.put(cid, f);
            LivekitRtc.AddTrackRequest.Builder add = LivekitRtc.AddTrackRequest.newBuilder()
                    .setCid(cid).setName(track.name()).setType(LivekitModels.TrackType.AUDIO)
                    .setSource(Kinds.source(options.source()))
                    .setDisableDtx(!options.dtx()).setDisableRed(!options.red());
            if (!options.dtx()) {
                add.addAudioFeatures(LivekitModels.AudioTrackFeature.TF_NO_DTX);
            }
            if (track.source().channels() == 2) {
                add.setStereo(true).addAudioFeatures(LivekitModels.AudioTrackFeature.TF_STEREO);
            }
            send(SignalRequest.newBuilder().setAddTrack(add).build());
            return f;
        });
        long deadline = System.nanoTime() + PUBLISH_TIMEOUT.toNanos();
        TrackInfo info;
        try {
            info = await(confirmed, deadline, "the server to accept track '" + track.name() + "'");
        } finally {
            exec.execute(() -> pendingPublishes.remove(cid));
        }
        CompletableFuture<LocalTrackPublicationImpl> attached = new CompletableFuture<>();
        CompletableFuture<Void> negotiated = call(() -> {
            CustomAudioSource source = new CustomAudioSource();
            AudioTrack nativeTrack = engine.factory().createAudioTrack(cid, source);
            LocalTrackPublicationImpl pub = new LocalTrackPublicationImpl(track, cid, info, source, nativeTrack);
            RTCRtpTransceiverInit init = new RTCRtpTransceiverInit();
            init.direction = RTCRtpTransceiverDirection.SEND_ONLY;
            init.streamIds = List.of(cid);
            pub.sender = publisher.addTransceiver(nativeTrack, init).getSender();
            pub.pumping = engine.pump().add(source, producer(track));
            participants.local().putPublication(pub);
            attached.complete(pub);
            return negotiation.negotiate();
        });
        try {
            await(negotiated, deadline, "the media negotiation for track '" + track.name() + "'");
        } catch (RoomException e) {
            attached.thenAccept(pub -> exec.execute(() -> removeLocalTrack(pub, false)));
            throw e;
        }
        LocalTrackPublicationImpl pub = attached.join();
        log.info("published audio track {} ({})", pub.sid(), track.name());
        return pub;
    }

    void unpublishAudio(LocalAudioTrack track) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = call(() -> {
            LocalTrackPublicationImpl pub = participants.local().publicationOf(track);
            return pub == null ? CompletableFuture.completedFuture(null) : removeLocalTrack(pub, true);
        });
        await(done, System.nanoTime() + PUBLISH_TIMEOUT.toNanos(), "the media negotiation after unpublishing");
    }

    /** Session thread: stops sending the track and frees its native objects. */
    private CompletableFuture<Void> removeLocalTrack(LocalTrackPublicationImpl pub, boolean renegotiate) {
        participants.local().removePublication(pub.sid());
        pub.pumping.close();
        publisher.removeTrack(pub.sender);
        pub.nativeTrack.dispose();
        pub.nativeSource.dispose();
        return renegotiate && state != ConnectionState.DISCONNECTED ? negotiation.negotiate()
                : CompletableFuture.completedFuture(null);
    }

    /** The server unpublished one of our tracks (e.g. an admin muted or removed it). */
    private void onServerUnpublished(String sid) {
        for (LocalTrackPublicationImpl pub : participants.local().publicationsSnapshot()) {
            if (pub.sid().equals(sid)) {
                log.info("the server unpublished our track {}", sid);
                removeLocalTrack(pub, true);
            }
        }
    }

    private static AudioPump.Producer producer(LocalAudioTrack track) {
        var source = track.source();
        return new AudioPump.Producer() {
            @Override
            public int sampleRate() {
                return source.sampleRate();
            }

            @Override
            public int channels() {
                return source.channels();
            }

            @Override
            public int read(short[] into) {
                return source.read(into);
            }
        };
    }

    void publishData(byte[] data, DataOptions options) {
        if (data.length > DataOptions.MAX_SIZE) {
            throw new IllegalArgumentException("data message of " + data.length + " bytes is over the limit of "
                    + DataOptions.MAX_SIZE);
        }
        requireConnected();
        long deadline = System.nanoTime() + PUBLISH_TIMEOUT.toNanos();
        await(options.reliable() ? reliableOpen : lossyOpen, deadline, "the data channel to open");
        boolean sent = call(() -> {
            DataChannelLink link = publisherChannels.get(options.reliable() ? RELIABLE : LOSSY);
            if (link.bufferedAmount() > MAX_BUFFERED_DATA) {
                throw new RoomException("data channel congested: over " + (MAX_BUFFERED_DATA >> 20)
                        + " MB waiting to be sent");
            }
            LocalParticipantImpl me = participants.local();
            LivekitModels.UserPacket.Builder user = LivekitModels.UserPacket.newBuilder()
                    .setPayload(com.google.protobuf.ByteString.copyFrom(data))
                    .addAllDestinationIdentities(options.destinationIdentities());
            if (!options.topic().isEmpty()) {
                user.setTopic(options.topic());
            }
            DataPacket.Builder packet = DataPacket.newBuilder()
                    .setKind(options.reliable() ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY)
                    .setParticipantIdentity(me.identity()).setParticipantSid(me.sid())
                    .addAllDestinationIdentities(options.destinationIdentities())
                    .setUser(user);
            if (options.reliable()) {
                packet.setSequence(++reliableSequence);
            }
            return link.send(packet.build().toByteArray());
        });
        if (!sent) {
            throw new RoomException("data channel is not open");
        }
    }

    void updateSubscription(String trackSid, boolean subscribe) {
        if (state == ConnectionState.DISCONNECTED) {
            throw new RoomException("room is disconnected");
        }
        exec.execute(() -> send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                .addTrackSids(trackSid).setSubscribe(subscribe)).build()));
    }

    /** Session thread: subscribes to {@code publication} if auto-subscription is audio only and it is audio. */
    void autoSubscribeAudio(RemoteTrackPublicationImpl publication) {
        if (options.autoSubscribe() == AutoSubscribe.AUDIO_ONLY && publication.kind() == TrackKind.AUDIO) {
            send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                    .addTrackSids(publication.sid()).setSubscribe(true)).build());
        }
    }

    void updateOwnInfo(String metadata, String name, Map<String, String> attributes) {
        requireConnected();
        int requestId = requestIds.incrementAndGet();
        CompletableFuture<Void> done = call(() -> {
            PendingUpdate pending = new PendingUpdate(new CompletableFuture<>(), metadata, name, attributes);
            pendingUpdates.put(requestId, pending);
            LivekitRtc.UpdateParticipantMetadata.Builder update = LivekitRtc.UpdateParticipantMetadata.newBuilder()
                    .setRequestId(requestId).putAllAttributes(attributes)
                    .setMetadata(metadata != null ? metadata : participants.local().metadata())
                    .setName(name != null ? name : participants.local().name());
            send(SignalRequest.newBuilder().setUpdateMetadata(update).build());
            return pending.done();
        });
        try {
            await(done, System.nanoTime() + REQUEST_TIMEOUT.toNanos(), "the server to apply the participant update");
        } finally {
            exec.execute(() -> pendingUpdates.remove(requestId));
        }
    }

    private void onRequestResponse(LivekitRtc.RequestResponse response) {
        PendingUpdate pending = pendingUpdates.remove(response.getRequestId());
        if (pending == null) {
            return;
        }
        if (response.getReason() == LivekitRtc.RequestResponse.Reason.OK) {
            pending.done().complete(null);
        } else {
            pending.done().completeExceptionally(new RoomException("the server refused the update: "
                    + response.getReason() + (response.getMessage().isEmpty() ? "" : " (" + response.getMessage() + ")")));
        }
    }

    /** Session thread: our own participant info changed; completes updates it shows applied (servers without responses). */
    void onOwnInfo(ParticipantInfo info) {
        pendingUpdates.values().removeIf(p -> {
            if (p.appliedIn(info)) {
                p.done().complete(null);
                return true;
            }
            return false;
        });
    }

    // ---- disconnect ------------------------------------------------------------------------------

    /** Leaves the room; waits for the teardown. Any thread but the session and event threads. */
    void disconnect(String reason, boolean sendLeave) {
        if (owner.isCurrent()) {
            shutdown(reason, sendLeave);
            return;
        }
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        owner.executor().execute(() -> {
            try {
                shutdown(reason, sendLeave);
            } finally {
                done.complete(null);
            }
        });
        disconnected.thenRun(() -> done.complete(null)); // ended meanwhile by the session itself
        if (!events.onEventThread()) {
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("room teardown did not finish in 5 s");
            }
        }
    }

    /**
     * Session thread: ends the session for good. Order (webrtc-java, teardown without errors): stop
     * feeding and listening, close data channels, detach senders, close the connections, then free
     * channels, tracks and sources.
     */
    private void shutdown(String reason, boolean sendLeave) {
        if (state == ConnectionState.DISCONNECTED) {
            return;
        }
        ConnectionState was = state;
        state = ConnectionState.DISCONNECTED;
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (signal != null) {
            if (sendLeave) {
                send(SignalRequest.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                        .setReason(LivekitModels.DisconnectReason.CLIENT_INITIATED)
                        .setAction(LivekitRtc.LeaveRequest.Action.DISCONNECT)).build());
            }
            signal.close();
        }
        RoomException gone = new RoomException("room disconnected (" + reason + ")");
        for (CompletableFuture<?> f : List.of(joined, subscriberUp, publisherUp, reliableOpen, lossyOpen)) {
            f.completeExceptionally(gone);
        }
        pendingPublishes.values().forEach(f -> f.completeExceptionally(gone));
        pendingUpdates.values().forEach(p -> p.done().completeExceptionally(gone));
        if (negotiation != null) {
            negotiation.fail(gone);
        }
        LocalTrackPublicationImpl[] locals = participants.hasLocal() ? participants.local().publicationsSnapshot()
                : new LocalTrackPublicationImpl[0];
        for (LocalTrackPublicationImpl pub : locals) {
            pub.pumping.close();
        }
        participants.endAllTracks();
        publisherChannels.values().forEach(DataChannelLink::close);
        subscriberChannels.forEach(DataChannelLink::close);
        for (LocalTrackPublicationImpl pub : locals) {
            quietly(() -> publisher.removeTrack(pub.sender));
        }
        if (publisher != null) {
            quietly(publisher::close);
        }
        if (subscriber != null) {
            quietly(subscriber::close);
        }
        publisherChannels.values().forEach(c -> quietly(c::dispose));
        subscriberChannels.forEach(c -> quietly(c::dispose));
        for (LocalTrackPublicationImpl pub : locals) {
            participants.local().removePublication(pub.sid());
            quietly(pub.nativeTrack::dispose);
            quietly(pub.nativeSource::dispose);
        }
        if (was == ConnectionState.CONNECTED) {
            log.info("left room {} ({})", roomInfo.getName(), reason);
            events.emit("onDisconnected", l -> l.onDisconnected(reason));
        }
        events.finish();
        disconnected.complete(reason);
        owner.shutdown();
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.debug("teardown step failed: {}", e.toString());
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    void send(SignalRequest request) {
        if (signal != null && !signal.send(request)) {
            log.debug("signalling connection closed; dropped {}", request.getMessageCase());
        }
    }

    private void requireConnected() {
        if (state != ConnectionState.CONNECTED) {
            throw new RoomException(state == ConnectionState.DISCONNECTED
                    ? "room is disconnected (" + disconnected.getNow("unknown") + ")" : "room is not connected yet");
        }
    }

    /** Runs {@code task} on the session thread and returns its result; agent threads only. */
    <T> T call(Callable<T> task) {
        try {
            return owner.call(task);
        } catch (RejectedExecutionException e) {
            throw new RoomException("room is disconnected (" + disconnected.getNow("unknown") + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomException("interrupted", e);
        } catch (IllegalStateException e) {
            if (e.getCause() != null && !(e.getCause() instanceof RuntimeException)) {
                throw new RoomException(e.getCause().toString(), e.getCause());
            }
            throw e;
        }
    }

    private static <T> T await(CompletableFuture<T> future, long deadlineNanos, String what) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new RoomException("timed out waiting for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RoomException re) {
                throw new RoomException(re.getMessage(), re);
            }
            throw new RoomException("failed waiting for " + what + ": " + cause.getMessage(), cause);
        }
    }

}
