package io.lkworker.localserver.room;

import com.google.protobuf.ByteString;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.lkworker.localserver.Ids;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.WebSocketConnection;
import io.lkworker.localserver.media.MediaForwarder;
import io.lkworker.localserver.media.TrackForwarder;
import io.lkworker.localserver.media.VideoForwarder;
import io.lkworker.webrtc.MediaEngine;
import io.lkworker.webrtc.OwnerThread;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import livekit.LivekitModels;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room on the development server: its participants, what they publish, who receives what, data
 * between them, and when the room closes (as livekit/livekit pkg/rtc/room.go does).
 *
 * <p>Threads: one room thread owns all of it. Signalling requests, libwebrtc callbacks, timers and
 * control calls (RoomService, tests) are handed to it; readers outside get snapshots. Nothing on the
 * room thread blocks on a client's socket: sends only queue ({@link SignalOutbox}).
 *
 * <p>Lifecycle as on the real server: the first join creates the room; agents (and recorders) do
 * not keep it open; when the last other participant has left, the room closes after the departure
 * timeout, and a room nobody but agents ever joined closes after the empty timeout.
 *
 * <p>Rooms survive the network: a participant whose signalling drops stays (with its peer
 * connections, tracks and subscriptions) and may resume on a new connection (livekit/livekit
 * pkg/rtc/room.go ResumeParticipant). The real server keeps an ICE-connected participant without a
 * deadline (pkg/rtc/participant.go HandleSignalSourceClose); a development server must also notice
 * crashed clients, so here it is removed when one of its peer connections leaves CONNECTED while the
 * signalling is down, or after the ping timeout without a resume, whichever comes first.
 */
final class LocalRoom {

    private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);
    /**
     * How long a connection thread waits for the room thread to admit its participant. The room thread
     * never blocks on clients, so this only bounds a wedged room (e.g. libwebrtc not answering).
     */
    private static final Duration JOIN_WAIT = Duration.ofSeconds(30);

    /** What the room needs from the rest of the server. */
    interface Host {
        /** The room closed; every participant is gone ({@code present} were in it and were told why). */
        void roomClosed(LocalRoom room, DisconnectReason reason, Set<String> present);

        LivekitModels.ServerInfo serverInfo();
    }

    /** A published track: who publishes it and the forwarder carrying it to subscribers. */
    private record Published(ParticipantSession publisher, TrackInfo info, MediaForwarder forwarder, String mediaId) {
    }

    private final LivekitModels.Room proto;
    private final ServerConfig config;
    private final PauseGate gate;
    private final io.lkworker.localserver.RoomSettings settings;
    private final Clock clock;
    private final Host host;
    private final OwnerThread owner;
    private final Executor exec;
    private MediaEngine engine;
    private final Map<String, ParticipantSession> participants = new LinkedHashMap<>();
    private final Map<String, Published> published = new LinkedHashMap<>();
    /** When participants whose signalling or media went away are dropped. */
    private final ParticipantLiveness liveness;
    private volatile List<ParticipantInfo> snapshot = List.of();
    private volatile Map<String, LivekitModels.ClientInfo> clientsSnapshot = Map.of();
    private boolean everHadEndUser;
    private ScheduledFuture<?> closeTimer;
    private volatile boolean closed;

    LocalRoom(LivekitModels.Room proto, ServerConfig config, io.lkworker.localserver.RoomSettings settings,
              PauseGate gate, Host host) {
        this.proto = proto;
        this.config = config;
        this.gate = gate;
        this.settings = settings;
        this.clock = config.clock();
        this.host = host;
        this.owner = new OwnerThread("lk-dev-room-" + proto.getName());
        this.exec = owner.executor();
        scheduleClose(settings.emptyTimeout(), "nobody joined");
        this.liveness = new ParticipantLiveness(owner, gate, config.pingTimeout(), new ParticipantLiveness.Room() {
            @Override
            public String name() {
                return LocalRoom.this.name();
            }

            @Override
            public List<ParticipantSession> participants() {
                return closed ? List.of() : new ArrayList<>(participants.values());
            }

            @Override
            public void remove(ParticipantSession s, DisconnectReason reason) {
                LocalRoom.this.remove(s, reason, null);
            }
        });
        owner.scheduleAtFixedRate(liveness::sweep, ParticipantLiveness.SWEEP_PERIOD.toMillis());
    }

    String name() {
        return proto.getName();
    }

    LivekitModels.Room info() {
        List<ParticipantInfo> now = snapshot;
        return proto.toBuilder().setNumParticipants(now.size())
                .setNumPublishers((int) now.stream().filter(p -> p.getTracksCount() > 0).count()).build();
    }

    /** How many participants are in the room (any thread). */
    int size() {
        return snapshot.size();
    }

    /** Participants as of the last change (any thread). */
    List<ParticipantInfo> participants() {
        return snapshot;
    }

    boolean isClosed() {
        return closed;
    }

    Executor executor() {
        return exec;
    }

    /** Runs {@code action} on the room thread and waits for it (control calls). */
    <T> T call(java.util.function.Supplier<T> action) {
        try {
            return owner.call(action::get);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("room '" + name() + "' is closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room '" + name() + "'", e);
        }
    }

    // ---- joining -------------------------------------------------------------------------------------

    /**
     * Admits a participant whose connection was just upgraded; then reads its signalling on the calling
     * (connection) thread until the connection ends.
     */
    void admit(WebSocketConnection ws, TokenClaims claims, boolean autoSubscribe, LivekitModels.ClientInfo client,
               String sdkName) {
        SignalLink link = new SignalLink(ws, label(claims.identity()), gate);
        CompletableFuture<ParticipantSession> joined = new CompletableFuture<>();
        exec.execute(() -> joined.complete(join(link, claims, autoSubscribe, client, sdkName)));
        readSignals(link, joined);
    }

    /**
     * A resume ({@code reconnect=1}) on a connection just upgraded: the participant with the token's
     * identity gets this connection, then its signalling is read on the calling thread until it ends.
     * Without such a participant the client is told to join afresh.
     */
    void resume(WebSocketConnection ws, TokenClaims claims, int reason) {
        SignalLink link = new SignalLink(ws, label(claims.identity()), gate);
        CompletableFuture<ParticipantSession> resumed = new CompletableFuture<>();
        exec.execute(() -> resumed.complete(resumeParticipant(link, claims, reason)));
        readSignals(link, resumed);
    }

    private void readSignals(SignalLink link, CompletableFuture<ParticipantSession> session) {
        ParticipantSession s;
        try {
            // Bounded: the room thread never blocks, but a closed room drops the task.
            s = session.get(JOIN_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            s = null;
        }
        if (s == null) {
            // Refused (the leave is queued) or the room went away: read until the client goes.
            if (!session.isDone()) {
                link.fail(new SignalLink.End("room did not admit the participant", false));
            }
            link.readUntilClosed(Runnable::run, r -> { }, e -> { });
            return;
        }
        ParticipantSession participant = s;
        link.readUntilClosed(exec, r -> onSignal(participant, link, r), e -> onSignalEnded(participant, link, e));
    }

    private String label(String identity) {
        return "room '" + name() + "' participant " + identity;
    }

    private ParticipantSession join(SignalLink link, TokenClaims claims, boolean autoSubscribe,
                                    LivekitModels.ClientInfo client, String sdkName) {
        if (closed) {
            link.fail(new SignalLink.End("room closed", false));
            return null;
        }
        ParticipantSession previous = participants.get(claims.identity());
        if (previous != null) {
            remove(previous, DisconnectReason.DUPLICATE_IDENTITY, leave(DisconnectReason.DUPLICATE_IDENTITY));
        } else if (participants.size() >= config.maxParticipantsPerRoom()) {
            // The endpoint refuses a full room before the upgrade; this is the race of two last joins.
            log.info("room '{}': refused {}: the room is full ({} participants)", name(), claims.identity(),
                    participants.size());
            link.close(leave(DisconnectReason.JOIN_FAILURE), new SignalLink.End("room full", false));
            return null;
        }
        long nowMs = clock.millis();
        ParticipantInfo info = ParticipantInfo.newBuilder()
                .setSid(Ids.next(Ids.PARTICIPANT))
                .setIdentity(claims.identity())
                .setName(claims.name())
                .setMetadata(claims.metadata())
                .putAllAttributes(claims.attributes())
                .setKind(claims.kind())
                .setState(ParticipantInfo.State.JOINED)
                .setJoinedAt(nowMs / 1000)
                .setJoinedAtMs(nowMs)
                .setPermission(claims.permission())
                .setVersion(1)
                .build();
        ParticipantSession session = new ParticipantSession(this, link, claims, autoSubscribe, client, info);
        if (engine == null) {
            engine = MediaEngine.shared();
        }
        session.startMedia(engine, exec);
        session.send(SignalResponse.newBuilder().setJoin(joinResponse(session)).build());
        participants.put(claims.identity(), session);
        if (!claims.dependent()) {
            everHadEndUser = true;
            cancelClose();
        }
        publishSnapshot();
        log.info("room '{}': {} joined ({}{}, sdk {} {}, protocol {})", name(), claims.identity(), info.getSid(),
                claims.kind() == ParticipantInfo.Kind.AGENT ? ", agent" : "", sdkName, client.getVersion(),
                client.getProtocol());
        broadcast(info, session);
        // LiveKit sends the subscriber offer at once, with the data channels and the tracks already there.
        if (autoSubscribe && claims.permission().getCanSubscribe()) {
            for (Published p : published.values()) {
                attach(session, p);
            }
        }
        session.negotiateSubscriber();
        return session;
    }

    private LivekitRtc.JoinResponse joinResponse(ParticipantSession session) {
        LivekitRtc.JoinResponse.Builder join = LivekitRtc.JoinResponse.newBuilder()
                .setRoom(info())
                .setParticipant(session.info())
                .setServerVersion(host.serverInfo().getVersion())
                .setServerInfo(host.serverInfo())
                .setSubscriberPrimary(true)
                .setPingInterval((int) config.pingInterval().toSeconds())
                .setPingTimeout((int) config.pingTimeout().toSeconds())
                .addEnabledPublishCodecs(LivekitModels.Codec.newBuilder().setMime("audio/opus"))
                // No fast_publish (LiveKit's server sets it for every participant that may publish: livekit/livekit,
                // pkg/rtc/room.go, createJoinResponseLocked): with it LiveKit's clients connect their publisher during
                // the join, which on one shared machine delayed the caller's first echoed audio (RoomJoinBenchmark,
                // benchmarks/results-rooms.md).
                .setClientConfiguration(clientConfiguration());
        for (ParticipantSession other : participants.values()) {
            if (!other.info().getPermission().getHidden()) {
                join.addOtherParticipants(other.info());
            }
        }
        return join.build();
    }

    /** Resumption is allowed (left unset, as the real server does unless configured otherwise). */
    private static LivekitModels.ClientConfiguration clientConfiguration() {
        return LivekitModels.ClientConfiguration.getDefaultInstance();
    }

    // ---- resuming ----------------------------------------------------------------------------------------

    /**
     * livekit/livekit pkg/service/roommanager.go StartSession and pkg/rtc/room.go ResumeParticipant: the
     * participant is found by identity (the {@code sid} is not compared); the new connection replaces
     * the old, then in order: ReconnectResponse, the participants that left meanwhile (DISCONNECTED),
     * all participants, the room, and an ICE-restart offer on the subscriber connection
     * (pkg/rtc/transport.go doICERestart). No such participant: {@code Leave{STATE_MISMATCH,
     * RECONNECT}} as the first and only message, and the client joins afresh.
     */
    private ParticipantSession resumeParticipant(SignalLink link, TokenClaims claims, int reason) {
        ParticipantSession s = closed ? null : participants.get(claims.identity());
        if (s == null || s.isClosed()) {
            log.info("room '{}': {} asked to resume, but is not in the room; told to join again", name(),
                    claims.identity());
            link.close(SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                    .setReason(DisconnectReason.STATE_MISMATCH).setAction(LivekitRtc.LeaveRequest.Action.RECONNECT))
                    .build(), new SignalLink.End("nothing to resume", false));
            return null;
        }
        s.resumeOn(link);
        log.info("room '{}': {} resumed ({}, reason {}, connection {})", name(), s.identity(), s.sid(), reason,
                s.connections());
        s.send(SignalResponse.newBuilder().setReconnect(LivekitRtc.ReconnectResponse.newBuilder()
                .setClientConfiguration(clientConfiguration())
                .setServerInfo(host.serverInfo())
                .setLastMessageSeq(s.reliableSequence.last())).build());
        List<ParticipantInfo> departed = s.takeDepartures();
        if (!departed.isEmpty()) {
            s.send(SignalResponse.newBuilder().setUpdate(LivekitRtc.ParticipantUpdate.newBuilder()
                    .addAllParticipants(departed)).build());
        }
        LivekitRtc.ParticipantUpdate.Builder everyone = LivekitRtc.ParticipantUpdate.newBuilder();
        for (ParticipantSession p : participants.values()) {
            if (p == s || !p.info().getPermission().getHidden()) {
                everyone.addParticipants(p.info());
            }
        }
        s.send(SignalResponse.newBuilder().setUpdate(everyone).build());
        s.send(SignalResponse.newBuilder().setRoomUpdate(LivekitRtc.RoomUpdate.newBuilder().setRoom(info())).build());
        s.restartSubscriberIce();
        return s;
    }

    /** The client's state after a resume (livekit/livekit pkg/rtc/room.go onSyncState): its subscriptions. */
    private void onSyncState(ParticipantSession s, LivekitRtc.SyncState sync) {
        if (sync.hasSubscription()) {
            onSubscription(s, sync.getSubscription());
        }
        log.debug("room '{}': {} synced: {} published, {} data channels, {} disabled tracks, offer {}, answer {}",
                name(), s.identity(), sync.getPublishTracksCount(), sync.getDataChannelsCount(),
                sync.getTrackSidsDisabledCount(), sync.hasOffer(), sync.hasAnswer());
    }

    // ---- signalling ------------------------------------------------------------------------------------

    void onSignal(ParticipantSession s, SignalLink from, SignalRequest request) {
        if (s.isClosed() || s.link() != from) {
            return;
        }
        switch (request.getMessageCase()) {
            case OFFER -> s.onPublisherOffer(request.getOffer());
            case ANSWER -> s.onSubscriberAnswer(request.getAnswer());
            case TRICKLE -> s.onTrickle(request.getTrickle());
            case ADD_TRACK -> {
                log.debug("room '{}': {} asks to publish track {} ({})", name(), s.identity(), request.getAddTrack().getCid(),
                        request.getAddTrack().getName());
                onAddTrack(s, request.getAddTrack());
            }
            case MUTE -> onMute(s, request.getMute());
            case SUBSCRIPTION -> {
                log.debug("room '{}': {} {} {}", name(), s.identity(),
                        request.getSubscription().getSubscribe() ? "subscribes to" : "unsubscribes from",
                        request.getSubscription().getTrackSidsList());
                onSubscription(s, request.getSubscription());
            }
            case LEAVE -> remove(s, DisconnectReason.CLIENT_INITIATED, null);
            case PING -> s.send(SignalResponse.newBuilder().setPong(System.currentTimeMillis()).build());
            case PING_REQ -> s.send(SignalResponse.newBuilder().setPongResp(LivekitRtc.Pong.newBuilder()
                    .setLastPingTimestamp(request.getPingReq().getTimestamp())
                    .setTimestamp(System.currentTimeMillis())).build());
            case UPDATE_METADATA -> onUpdateMetadata(s, request.getUpdateMetadata());
            case SYNC_STATE -> onSyncState(s, request.getSyncState());
            default -> log.debug("room '{}': {} sent {}; not handled by the dev server", name(), s.identity(),
                    request.getMessageCase());
        }
    }

    /** A signalling connection ended: {@link ParticipantLiveness#onSignalEnded}. */
    void onSignalEnded(ParticipantSession s, SignalLink link, SignalLink.End end) {
        if (s.isClosed() || s.link() != link || participants.get(s.identity()) != s) {
            return;
        }
        liveness.onSignalEnded(s, end);
    }

    void onTransportState(ParticipantSession s, boolean publisherSide, RTCPeerConnectionState state) {
        if (s.isClosed()) {
            return;
        }
        RTCPeerConnectionState previous = s.transportState(publisherSide, state);
        log.debug("room '{}': {}'s {} connection {}", name(), s.identity(), publisherSide ? "publisher" : "subscriber", state);
        if (state == RTCPeerConnectionState.CONNECTED && s.info().getState() == ParticipantInfo.State.JOINED) {
            update(s, s.info().toBuilder().setState(ParticipantInfo.State.ACTIVE), false);
        }
        liveness.onTransportState(s, publisherSide, previous, state);
    }

    private void onAddTrack(ParticipantSession s, LivekitRtc.AddTrackRequest add) {
        if (!s.info().getPermission().getCanPublish()) {
            refuse(s, LivekitRtc.RequestResponse.Reason.NOT_ALLOWED, "no permission to publish", add);
            return;
        }
        if (add.getType() == LivekitModels.TrackType.VIDEO) {
            onAddVideoTrack(s, add);
            return;
        }
        if (add.getType() != LivekitModels.TrackType.AUDIO) {
            refuse(s, LivekitRtc.RequestResponse.Reason.UNSUPPORTED_TYPE,
                    "the lk-worker development server forwards audio and video only", add);
            return;
        }
        TrackInfo track = TrackInfo.newBuilder()
                .setSid(Ids.next("TR_A"))
                .setType(add.getType())
                .setName(add.getName())
                .setSource(add.getSource())
                .setMuted(add.getMuted())
                .setDisableDtx(add.getDisableDtx())
                .setDisableRed(add.getDisableRed())
                .setStereo(add.getStereo())
                .addAllAudioFeatures(add.getAudioFeaturesList())
                .setMimeType("audio/opus")
                .build();
        s.addPendingTrack(add.getCid(), track);
        s.send(SignalResponse.newBuilder().setTrackPublished(LivekitRtc.TrackPublishedResponse.newBuilder()
                .setCid(add.getCid()).setTrack(track)).build());
        publishHeldMedia(s, add.getCid(), track);
    }

    /** The media for a track just announced came first (the client offered it with its request): publish it now. */
    private void publishHeldMedia(ParticipantSession s, String cid, TrackInfo track) {
        MediaStreamTrack held = s.takeUnannouncedMedia(cid,
                track.getType() == LivekitModels.TrackType.VIDEO ? MediaStreamTrack.VIDEO_TRACK_KIND : MediaStreamTrack.AUDIO_TRACK_KIND);
        if (held != null) {
            onPublishedMedia(s, held);
        }
    }

    private void refuse(ParticipantSession s, LivekitRtc.RequestResponse.Reason reason, String message,
                        LivekitRtc.AddTrackRequest add) {
        log.info("room '{}': refused a track of {}: {}", name(), s.identity(), message);
        s.send(SignalResponse.newBuilder().setRequestResponse(LivekitRtc.RequestResponse.newBuilder()
                .setReason(reason).setMessage(message).setAddTrack(add)).build());
    }

    /** The participant's publisher connection started receiving a track: publish it to the room. */
    void onPublishedMedia(ParticipantSession s, MediaStreamTrack track) {
        if (track instanceof VideoTrack video) {
            onPublishedVideo(s, video);
            return;
        }
        if (!(track instanceof AudioTrack audio)) {
            return;
        }
        String mediaId = track.getId();
        TrackInfo info = s.takePendingTrack(mediaId, LivekitModels.TrackType.AUDIO);
        if (info == null) {
            log.debug("room '{}': {} sent media {} before its AddTrackRequest; held", name(), s.identity(), mediaId);
            s.holdUnannouncedMedia(track);
            return;
        }
        Published p = new Published(s, info, new TrackForwarder(engine, info.getSid(), audio), mediaId);
        log.info("room '{}': {} published audio track {} ({})", name(), s.identity(), info.getSid(), info.getName());
        announcePublished(s, p);
    }

    /** A forwarder for {@code p} exists: the room hears of the track and auto-subscribers receive it. */
    private void announcePublished(ParticipantSession s, Published p) {
        TrackInfo info = p.info();
        published.put(info.getSid(), p);
        update(s, s.info().toBuilder().addTracks(info), true);
        for (ParticipantSession other : participants.values()) {
            if (other != s && other.autoSubscribe && other.info().getPermission().getCanSubscribe()) {
                attach(other, p);
                other.negotiateSubscriber();
            }
        }
    }

    // ---- video ---------------------------------------------------------------------------------------

    /** An AddTrackRequest for video: accepted if {@link VideoTracks} can forward it, else refused with why. */
    private void onAddVideoTrack(ParticipantSession s, LivekitRtc.AddTrackRequest add) {
        long forwarding = published.values().stream()
                .filter(p -> p.info().getType() == LivekitModels.TrackType.VIDEO).count();
        VideoTracks.Verdict verdict = VideoTracks.check(add, (int) forwarding);
        if (!verdict.accepted()) {
            refuse(s, verdict.reason(), verdict.message(), add);
            return;
        }
        TrackInfo track = VideoTracks.trackInfo(Ids.next("TR_V"), add);
        s.addPendingTrack(add.getCid(), track);
        s.send(SignalResponse.newBuilder().setTrackPublished(LivekitRtc.TrackPublishedResponse.newBuilder()
                .setCid(add.getCid()).setTrack(track)).build());
        publishHeldMedia(s, add.getCid(), track);
    }

    private void onPublishedVideo(ParticipantSession s, VideoTrack video) {
        String mediaId = video.getId();
        TrackInfo info = s.takePendingTrack(mediaId, LivekitModels.TrackType.VIDEO);
        if (info == null) {
            log.debug("room '{}': {} sent video {} before its AddTrackRequest; held", name(), s.identity(), mediaId);
            s.holdUnannouncedMedia(video);
            return;
        }
        Published p = new Published(s, info, new VideoForwarder(engine, info.getSid(), video, VideoTracks::fits), mediaId);
        log.info("room '{}': {} published video track {} ({}, {}x{})", name(), s.identity(), info.getSid(),
                info.getName(), info.getWidth(), info.getHeight());
        announcePublished(s, p);
    }

    /** The participant stopped sending a track (unpublished it). */
    void onUnpublishedMedia(ParticipantSession s, String mediaId) {
        s.dropUnannouncedMedia(mediaId);
        published.values().stream().filter(p -> p.publisher() == s && p.mediaId().equals(mediaId)).findFirst()
                .ifPresent(p -> unpublish(p, true));
    }

    private void unpublish(Published p, boolean announce) {
        published.remove(p.info().getSid());
        for (ParticipantSession other : participants.values()) {
            if (other.removeSubscription(p.info().getSid())) {
                other.negotiateSubscriber();
            }
        }
        p.forwarder().close();
        log.info("room '{}': track {} of {} unpublished", name(), p.info().getSid(), p.publisher().identity());
        if (announce && !p.publisher().isClosed()) {
            ParticipantInfo.Builder info = p.publisher().info().toBuilder().clearTracks();
            p.publisher().info().getTracksList().stream().filter(t -> !t.getSid().equals(p.info().getSid()))
                    .forEach(info::addTracks);
            update(p.publisher(), info, true);
        }
    }

    private void attach(ParticipantSession subscriber, Published p) {
        if (subscriber == p.publisher() || subscriber.isSubscribedTo(p.info().getSid())) {
            return;
        }
        // LiveKit's stream id packs the publisher and the track: "<PA_sid>|<TR_sid>".
        String streamId = p.publisher().sid() + "|" + p.info().getSid();
        subscriber.addSubscription(p.info().getSid(), p.forwarder().attach(subscriber.subscriberPeer(), streamId));
    }

    private void onSubscription(ParticipantSession s, LivekitRtc.UpdateSubscription update) {
        boolean changed = false;
        for (String sid : update.getTrackSidsList()) {
            Published p = published.get(sid);
            if (update.getSubscribe()) {
                if (p == null) {
                    s.send(SignalResponse.newBuilder().setSubscriptionResponse(LivekitRtc.SubscriptionResponse.newBuilder()
                            .setTrackSid(sid).setErr(LivekitModels.SubscriptionError.SE_TRACK_NOTFOUND)).build());
                } else if (s.info().getPermission().getCanSubscribe() && !s.isSubscribedTo(sid)) {
                    attach(s, p);
                    changed = true;
                }
            } else {
                changed |= s.removeSubscription(sid);
            }
        }
        if (changed) {
            s.negotiateSubscriber();
        }
    }

    private void onMute(ParticipantSession s, LivekitRtc.MuteTrackRequest mute) {
        setMuted(s, mute);
    }

    /**
     * RoomService.MutePublishedTrack: the track's publisher is told (a {@code mute} message, as the real
     * server sends on an admin mute: livekit/livekit pkg/rtc/participant.go {@code SetTrackMuted}) and
     * everyone sees the track's new state. The muted track, or null if there is no such track.
     */
    TrackInfo mutePublishedTrack(String identity, String trackSid, boolean muted) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return null;
        }
        LivekitRtc.MuteTrackRequest mute = LivekitRtc.MuteTrackRequest.newBuilder().setSid(trackSid).setMuted(muted).build();
        if (!setMuted(s, mute)) {
            return null;
        }
        s.send(SignalResponse.newBuilder().setMute(mute).build());
        return s.info().getTracksList().stream().filter(t -> t.getSid().equals(trackSid)).findFirst().orElse(null);
    }

    private boolean setMuted(ParticipantSession s, LivekitRtc.MuteTrackRequest mute) {
        ParticipantInfo.Builder info = s.info().toBuilder().clearTracks();
        boolean found = false;
        for (TrackInfo t : s.info().getTracksList()) {
            if (t.getSid().equals(mute.getSid())) {
                t = t.toBuilder().setMuted(mute.getMuted()).build();
                found = true;
            }
            info.addTracks(t);
        }
        if (found) {
            update(s, info, true);
        }
        return found;
    }

    private void onUpdateMetadata(ParticipantSession s, LivekitRtc.UpdateParticipantMetadata m) {
        LivekitRtc.RequestResponse.Builder response = LivekitRtc.RequestResponse.newBuilder().setRequestId(m.getRequestId());
        if (!s.info().getPermission().getCanUpdateMetadata()) {
            s.send(SignalResponse.newBuilder().setRequestResponse(response
                    .setReason(LivekitRtc.RequestResponse.Reason.NOT_ALLOWED)
                    .setMessage("does not have permission to update own metadata")).build());
            return;
        }
        ParticipantInfo.Builder info = s.info().toBuilder().setMetadata(m.getMetadata());
        if (!m.getName().isEmpty()) {
            info.setName(m.getName());
        }
        m.getAttributesMap().forEach((k, v) -> {
            if (v.isEmpty()) {
                info.removeAttributes(k);
            } else {
                info.putAttributes(k, v);
            }
        });
        update(s, info, true);
        s.send(SignalResponse.newBuilder().setRequestResponse(response.setReason(LivekitRtc.RequestResponse.Reason.OK)).build());
    }

    // ---- data ------------------------------------------------------------------------------------------

    /**
     * A data packet from {@code from}: the sender fields are the server's to set, then it goes to every
     * other participant or only to the destinations, on the channel of the kind it came on.
     */
    void onData(ParticipantSession from, byte[] bytes, boolean reliable) {
        if (from.isClosed() || !from.info().getPermission().getCanPublishData()) {
            return;
        }
        DataPacket packet;
        try {
            packet = DataPacket.parseFrom(bytes);
        } catch (Exception e) {
            log.debug("room '{}': undecodable data packet from {}", name(), from.identity());
            return;
        }
        if (reliable && !from.reliableSequence.accept(packet.getSequence())) {
            log.debug("room '{}': dropped a replayed reliable packet {} from {}", name(),
                    Integer.toUnsignedLong(packet.getSequence()), from.identity());
            return;
        }
        Set<String> destinations = new LinkedHashSet<>(packet.getDestinationIdentitiesList());
        DataPacket.Builder out = packet.toBuilder()
                .setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY)
                .setParticipantIdentity(from.identity())
                .setParticipantSid(from.sid());
        if (packet.hasStreamHeader() && packet.getStreamHeader().hasTextHeader()
                && from.info().getKind() == LivekitModels.ParticipantInfo.Kind.AGENT
                && !packet.getParticipantIdentity().isEmpty() && !packet.getParticipantIdentity().equals(from.identity())) {
            // an agent's text stream on behalf of another participant (its transcription) keeps that
            // identity and is marked generated, as livekit/livekit pkg/rtc/participant.go handleReceivedDataMessage
            out.setParticipantIdentity(packet.getParticipantIdentity());
            out.getStreamHeaderBuilder().getTextHeaderBuilder().setGenerated(true);
        }
        if (packet.hasUser()) {
            destinations.addAll(packet.getUser().getDestinationIdentitiesList());
            out.setUser(packet.getUser().toBuilder().setParticipantIdentity(from.identity()).setParticipantSid(from.sid()));
        }
        byte[] forwarded = out.build().toByteArray();
        for (ParticipantSession to : participants.values()) {
            if (to != from && (destinations.isEmpty() || destinations.contains(to.identity()))) {
                to.deliver(forwarded, reliable);
            }
        }
    }

    /** The participant sent more data than the room thread can take: it floods and is removed. */
    void onDataFlood(ParticipantSession s) {
        if (!s.isClosed()) {
            log.warn("room '{}': {} has more than {} data messages waiting for the room; it floods, removing it",
                    name(), s.identity(), BoundedInbox.MAX_PENDING_DATA_MESSAGES);
            s.link().fail(new SignalLink.End("data flood", false));
            remove(s, DisconnectReason.SIGNAL_CLOSE, null);
        }
    }

    /** A data message from the server itself (RoomService.SendData). */
    void sendData(byte[] payload, String topic, List<String> destinations, boolean reliable) {
        LivekitModels.UserPacket.Builder user = LivekitModels.UserPacket.newBuilder()
                .setPayload(ByteString.copyFrom(payload)).addAllDestinationIdentities(destinations);
        if (!topic.isEmpty()) {
            user.setTopic(topic);
        }
        byte[] packet = DataPacket.newBuilder().setKind(reliable ? DataPacket.Kind.RELIABLE : DataPacket.Kind.LOSSY)
                .addAllDestinationIdentities(destinations).setUser(user).build().toByteArray();
        for (ParticipantSession to : participants.values()) {
            if (destinations.isEmpty() || destinations.contains(to.identity())) {
                to.deliver(packet, reliable);
            }
        }
    }

    // ---- leaving ---------------------------------------------------------------------------------------

    /** RoomService.RemoveParticipant: false if no such participant. */
    boolean removeParticipant(String identity) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return false;
        }
        remove(s, DisconnectReason.PARTICIPANT_REMOVED, leave(DisconnectReason.PARTICIPANT_REMOVED));
        return true;
    }

    // ---- test hooks (LocalLiveKitServer) ---------------------------------------------------------------

    /**
     * Sends the participant {@code Leave{action}}: RESUME closes its signalling and keeps it for its
     * resume; RECONNECT removes it (it rejoins afresh); DISCONNECT is RemoveParticipant. False if no such
     * participant.
     */
    boolean sendLeave(String identity, LivekitRtc.LeaveRequest.Action action) {
        ParticipantSession s = participants.get(identity);
        if (s == null) {
            return false;
        }
        switch (action) {
            case RESUME -> {
                log.info("room '{}': asking {} to resume", name(), identity);
                s.link().close(leave(DisconnectReason.SIGNAL_CLOSE, action), new SignalLink.End("told to resume", true));
            }
            case RECONNECT -> {
                log.info("room '{}': asking {} to reconnect afresh", name(), identity);
                remove(s, DisconnectReason.STATE_MISMATCH, leave(DisconnectReason.STATE_MISMATCH, action));
            }
            default -> remove(s, DisconnectReason.PARTICIPANT_REMOVED, leave(DisconnectReason.PARTICIPANT_REMOVED));
        }
        return true;
    }

    /** Cuts the participant's signalling TCP connection without a close frame; false if none is up. */
    boolean dropSignalling(String identity) {
        ParticipantSession s = participants.get(identity);
        if (s == null || !s.signalUp()) {
            return false;
        }
        log.info("room '{}': dropping the signalling connection of {}", name(), identity);
        s.link().fail(new SignalLink.End("dropped by the server (test hook)", true));
        return true;
    }

    /** The participant's signalling as the server sees it, if it is in the room. */
    java.util.Optional<SignallingState> signallingState(String identity) {
        ParticipantSession s = participants.get(identity);
        return s == null ? java.util.Optional.empty() : java.util.Optional.of(new SignallingState(identity, s.sid(),
                s.signalUp(), s.connections(), s.resumes(), Integer.toUnsignedLong(s.reliableSequence.last())));
    }

    private void remove(ParticipantSession s, DisconnectReason reason, SignalResponse lastMessage) {
        if (participants.get(s.identity()) != s) {
            s.close(null);
            return;
        }
        s.cancelRemoval();
        participants.remove(s.identity());
        for (Published p : new ArrayList<>(published.values())) {
            if (p.publisher() == s) {
                unpublish(p, false);
            }
        }
        s.close(lastMessage);
        publishSnapshot();
        log.info("room '{}': {} left ({})", name(), s.identity(), reason);
        ParticipantInfo gone = s.info().toBuilder().setState(ParticipantInfo.State.DISCONNECTED)
                .setDisconnectReason(reason).setVersion(s.info().getVersion() + 1).build();
        broadcast(gone, null);
        if (!closed && everHadEndUser && participants.values().stream().allMatch(p -> p.claims.dependent())) {
            scheduleClose(settings.departureTimeout(), "the last participant left");
        }
    }

    private static SignalResponse leave(DisconnectReason reason) {
        return leave(reason, LivekitRtc.LeaveRequest.Action.DISCONNECT);
    }

    static SignalResponse leave(DisconnectReason reason, LivekitRtc.LeaveRequest.Action action) {
        return SignalResponse.newBuilder().setLeave(LivekitRtc.LeaveRequest.newBuilder()
                .setReason(reason).setAction(action)).build();
    }

    /**
     * Closes the room: every participant is told why and removed. Room thread. Returns the signalling
     * connections now closing, so a server shutting down can let their leaves go out first.
     */
    List<SignalLink> close(DisconnectReason reason) {
        if (closed) {
            return List.of();
        }
        cancelClose();
        Set<String> present = new LinkedHashSet<>(participants.keySet());
        closed = true;
        List<SignalLink> closing = new ArrayList<>();
        for (ParticipantSession s : new ArrayList<>(participants.values())) {
            closing.add(s.link());
            remove(s, reason, leave(reason));
        }
        log.info("room '{}' closed ({})", name(), reason);
        host.roomClosed(this, reason, present);
        owner.shutdown();
        return closing;
    }

    private void scheduleClose(Duration after, String why) {
        cancelClose();
        closeTimer = owner.schedule(() -> {
            if (participants.values().stream().allMatch(p -> p.claims.dependent())) {
                log.info("room '{}': closing, {} ({} s ago)", name(), why, after.toSeconds());
                close(DisconnectReason.ROOM_CLOSED);
            }
        }, after.toMillis());
    }

    private void cancelClose() {
        if (closeTimer != null) {
            closeTimer.cancel(false);
            closeTimer = null;
        }
    }

    // ---- participant updates ---------------------------------------------------------------------------

    /** Applies a change to {@code s}'s info (new version) and tells the others (and, if asked, itself). */
    private void update(ParticipantSession s, ParticipantInfo.Builder changed, boolean includeSelf) {
        if (participants.get(s.identity()) != s) {
            return;
        }
        ParticipantInfo info = changed.setVersion(s.info().getVersion() + 1).build();
        s.setInfo(info);
        publishSnapshot();
        broadcast(info, includeSelf ? null : s);
    }

    private void broadcast(ParticipantInfo info, ParticipantSession except) {
        if (info.getPermission().getHidden()) {
            return;
        }
        SignalResponse update = SignalResponse.newBuilder().setUpdate(LivekitRtc.ParticipantUpdate.newBuilder()
                .addParticipants(info)).build();
        for (ParticipantSession s : participants.values()) {
            if (s == except) {
                continue;
            }
            if (s.signalUp()) {
                s.send(update);
            } else if (info.getState() == ParticipantInfo.State.DISCONNECTED) {
                s.noteDeparture(info);
            }
        }
    }

    private void publishSnapshot() {
        List<ParticipantInfo> now = new ArrayList<>();
        Map<String, LivekitModels.ClientInfo> clients = new LinkedHashMap<>();
        participants.values().forEach(p -> {
            now.add(p.info());
            clients.put(p.identity(), p.client);
        });
        snapshot = List.copyOf(now);
        clientsSnapshot = Map.copyOf(clients);
    }

    /** The participants' clients as of the last change, by identity (any thread). */
    Map<String, LivekitModels.ClientInfo> clients() {
        return clientsSnapshot;
    }

    void forEachParticipant(Consumer<ParticipantInfo> action) {
        snapshot.forEach(action);
    }
}
