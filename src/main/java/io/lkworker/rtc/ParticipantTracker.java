package io.lkworker.rtc;

import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.video.VideoTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.TrackKind;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels.DataPacket;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.TrackInfo;
import livekit.LivekitModels.UserPacket;
import livekit.LivekitRtc.JoinResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's participants as the server describes them ({@code JoinResponse},
 * {@code ParticipantUpdate}), the binding of received media tracks to their publications, and the
 * events both produce. Session thread only, except the snapshot readers.
 *
 * <p>Updates carry whole participants: a participant is added when first seen, removed when marked
 * {@code DISCONNECTED} (or replaced when its identity comes back with a new sid), and otherwise
 * compared with what was known, skipping updates older than the known {@code version}. A received
 * track is matched to a publication by its id, which LiveKit sets to the track's sid (else the
 * offer's {@code mid_to_track_id}); one that arrives before the update naming it waits until the
 * update comes.
 */
final class ParticipantTracker {

    private static final Logger log = LoggerFactory.getLogger(ParticipantTracker.class);
    /** How long a received track may wait for the participant update that names it (JS waits 3 s). */
    private static final long PENDING_TRACK_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final RtcSession session;
    private final RoomEvents events;
    private LocalParticipantImpl local;
    /** By identity, in join order. Written on the session thread; read under its own lock. */
    private final Map<String, RemoteParticipantImpl> remotes = new LinkedHashMap<>();
    private final Map<String, String> midToTrackId = new HashMap<>();
    private final Map<String, PendingTrack> pendingTracks = new HashMap<>();
    /** Received media track id → the publication sid it was bound to at arrival; its removal uses the same. */
    private final Map<String, String> receivedTrackSids = new HashMap<>();

    private record PendingTrack(MediaStreamTrack track, long receivedAt) {
    }

    ParticipantTracker(RtcSession session, RoomEvents events) {
        this.session = session;
        this.events = events;
    }

    boolean hasLocal() {
        return local != null;
    }

    LocalParticipantImpl local() {
        return local;
    }

    /** The local participant as it is when asked (it exists once the room is joined). */
    java.util.function.Supplier<LocalParticipantImpl> localSupplier() {
        return () -> local;
    }

    Map<String, RemoteParticipant> remotesSnapshot() {
        synchronized (remotes) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(remotes));
        }
    }

    void onJoin(JoinResponse join) {
        local = new LocalParticipantImpl(session, join.getParticipant());
        for (ParticipantInfo info : join.getOtherParticipantsList()) {
            add(info, false);
        }
    }

    /**
     * A full reconnect's join: we are a new participant (new sid) in the same room; the others are
     * announced again, as client-sdk-js does after {@code SignalRestarted}.
     */
    void onRejoin(JoinResponse join) {
        local.setInfo(join.getParticipant());
        for (ParticipantInfo info : join.getOtherParticipantsList()) {
            add(info, true);
        }
    }

    /**
     * A full reconnect is replacing the session: every remote participant is announced gone and its
     * subscribed tracks end (their streams finish), as client-sdk-js does before rejoining.
     */
    void unwindRemotes() {
        for (RemoteParticipant rp : remotesSnapshot().values()) {
            remove((RemoteParticipantImpl) rp);
        }
        pendingTracks.clear();
        midToTrackId.clear();
        receivedTrackSids.clear();
    }

    void onUpdate(List<ParticipantInfo> infos) {
        for (ParticipantInfo info : infos) {
            if (info.getSid().equals(local.sid()) || info.getIdentity().equals(local.identity())) {
                if (info.getSid().equals(local.sid())) {
                    updateLocal(info);
                }
                continue;
            }
            RemoteParticipantImpl known;
            synchronized (remotes) {
                known = remotes.get(info.getIdentity());
            }
            if (info.getState() == ParticipantInfo.State.DISCONNECTED) {
                if (known != null && known.sid().equals(info.getSid())) {
                    remove(known);
                }
            } else if (known == null) {
                add(info, true);
            } else if (!known.sid().equals(info.getSid())) {
                remove(known); // same identity, new session (DUPLICATE_IDENTITY on the server)
                add(info, true);
            } else if (info.getVersion() == 0 || info.getVersion() >= known.info().getVersion()) {
                updateRemote(known, info);
            }
        }
        expirePendingTracks();
    }

    private void add(ParticipantInfo info, boolean announce) {
        RemoteParticipantImpl p = new RemoteParticipantImpl(info);
        synchronized (remotes) {
            remotes.put(info.getIdentity(), p);
        }
        if (announce) {
            events.emit("onParticipantConnected", l -> l.onParticipantConnected(p));
        }
        for (TrackInfo track : info.getTracksList()) {
            addPublication(p, track, announce);
        }
    }

    private void remove(RemoteParticipantImpl p) {
        for (var pub : p.trackPublications().values()) {
            removePublication(p, pub.sid());
        }
        synchronized (remotes) {
            remotes.remove(p.identity());
        }
        session.onRemoteLeft(p.identity());
        events.emit("onParticipantDisconnected", l -> l.onParticipantDisconnected(p));
    }

    private void addPublication(RemoteParticipantImpl p, TrackInfo track, boolean announce) {
        RemoteTrackPublicationImpl pub = new RemoteTrackPublicationImpl(session, track);
        p.putPublication(pub);
        if (announce) {
            events.emit("onTrackPublished", l -> l.onTrackPublished(pub, p));
        }
        session.autoSubscribeAudio(pub);
        PendingTrack pending = pendingTracks.remove(track.getSid());
        if (pending != null) {
            attach(p, pub, pending.track());
        }
    }

    private void removePublication(RemoteParticipantImpl p, String sid) {
        RemoteTrackPublicationImpl pub = p.removePublication(sid);
        if (pub == null) {
            return;
        }
        unsubscribe(p, pub);
        events.emit("onTrackUnpublished", l -> l.onTrackUnpublished(pub, p));
    }

    private void updateRemote(RemoteParticipantImpl p, ParticipantInfo info) {
        ParticipantInfo old = p.info();
        p.setInfo(info);
        announceInfoChanges(p, old, info);
        Set<String> current = new HashSet<>();
        for (TrackInfo track : info.getTracksList()) {
            current.add(track.getSid());
            RemoteTrackPublicationImpl pub = p.publication(track.getSid());
            if (pub == null) {
                addPublication(p, track, true);
            } else {
                boolean wasMuted = pub.isMuted();
                pub.update(track);
                if (wasMuted != track.getMuted()) {
                    events.emit("onTrackMuted", l -> {
                        if (track.getMuted()) {
                            l.onTrackMuted(pub, p);
                        } else {
                            l.onTrackUnmuted(pub, p);
                        }
                    });
                }
            }
        }
        for (String sid : p.trackPublications().keySet()) {
            if (!current.contains(sid)) {
                removePublication(p, sid);
            }
        }
    }

    private void updateLocal(ParticipantInfo info) {
        ParticipantInfo old = local.info();
        if (info.getVersion() != 0 && info.getVersion() < old.getVersion()) {
            return;
        }
        local.setInfo(info);
        for (TrackInfo track : info.getTracksList()) {
            for (LocalTrackPublicationImpl pub : local.publicationsSnapshot()) {
                if (pub.sid().equals(track.getSid())) {
                    boolean wasMuted = pub.isMuted();
                    pub.update(track);
                    announceLocalMute(pub, wasMuted);
                }
            }
        }
        session.updateOwnVideoInfo(info.getTracksList());
        announceInfoChanges(local, old, info);
        session.onOwnInfo(info);
    }

    private <P extends ParticipantBase & io.lkworker.api.rtc.Participant> void announceInfoChanges(
            P p, ParticipantInfo old, ParticipantInfo now) {
        if (!old.getMetadata().equals(now.getMetadata())) {
            events.emit("onParticipantMetadataChanged", l -> l.onParticipantMetadataChanged(p, old.getMetadata()));
        }
        if (!old.getName().equals(now.getName())) {
            events.emit("onParticipantNameChanged", l -> l.onParticipantNameChanged(p, old.getName()));
        }
        Map<String, String> changed = new LinkedHashMap<>();
        now.getAttributesMap().forEach((k, v) -> {
            if (!Objects.equals(old.getAttributesMap().get(k), v)) {
                changed.put(k, v);
            }
        });
        old.getAttributesMap().keySet().forEach(k -> {
            if (!now.getAttributesMap().containsKey(k)) {
                changed.put(k, "");
            }
        });
        if (!changed.isEmpty()) {
            Map<String, String> copy = Collections.unmodifiableMap(changed);
            events.emit("onParticipantAttributesChanged", l -> l.onParticipantAttributesChanged(copy, p));
        }
    }

    /** The server muted or unmuted one of our tracks: the publication says so, and listeners hear of it. */
    void onServerMute(String sid, boolean muted) {
        for (LocalTrackPublicationImpl pub : local.publicationsSnapshot()) {
            if (pub.sid().equals(sid) && pub.info() != null) {
                boolean wasMuted = pub.isMuted();
                pub.update(pub.info().toBuilder().setMuted(muted).build());
                announceLocalMute(pub, wasMuted);
            }
        }
    }

    /** Tells listeners that one of our tracks was muted or unmuted (by the server: an admin, a moderator). */
    private void announceLocalMute(LocalTrackPublicationImpl pub, boolean wasMuted) {
        boolean muted = pub.isMuted();
        if (muted == wasMuted) {
            return;
        }
        log.info("the server {} our track {}", muted ? "muted" : "unmuted", pub.sid());
        LocalParticipantImpl me = local;
        events.emit("onTrackMuted", l -> {
            if (muted) {
                l.onTrackMuted(pub, me);
            } else {
                l.onTrackUnmuted(pub, me);
            }
        });
    }

    // ---- media --------------------------------------------------------------------------------

    void noteMidToTrackIds(Map<String, String> mapping) {
        midToTrackId.putAll(mapping);
    }

    /** A track arrived on the subscriber connection. */
    void onRemoteTrack(MediaStreamTrack track, String mid) {
        String id = track.getId();
        String sid = id.startsWith("TR_") ? id : midToTrackId.getOrDefault(mid, id);
        if (!(track instanceof AudioTrack) && !(track instanceof VideoTrack)) {
            log.info("not receiving track {}: neither audio nor video", sid);
            return;
        }
        receivedTrackSids.put(id, sid);
        Located found = locate(sid);
        if (found == null) {
            pendingTracks.put(sid, new PendingTrack(track, System.nanoTime()));
            return;
        }
        attach(found.participant(), found.publication(), track);
    }

    void onRemoteTrackRemoved(String trackId) {
        String sid = receivedTrackSids.getOrDefault(trackId, trackId);
        receivedTrackSids.remove(trackId);
        pendingTracks.remove(sid);
        Located found = locate(sid);
        if (found != null) {
            unsubscribe(found.participant(), found.publication());
        }
    }

    private void attach(RemoteParticipantImpl p, RemoteTrackPublicationImpl pub, MediaStreamTrack media) {
        SubscribedTrack track;
        if (pub.kind() == TrackKind.AUDIO && media instanceof AudioTrack audio) {
            track = new RemoteAudioTrackImpl(pub.sid(), pub.name(), audio);
        } else if (pub.kind() == TrackKind.VIDEO && media instanceof VideoTrack video) {
            track = new RemoteVideoTrackImpl(pub.sid(), pub.name(), video);
        } else {
            log.warn("received {} media for {} track {}; ignoring it", media.getKind(), pub.kind(), pub.sid());
            return;
        }
        SubscribedTrack existing = pub.subscribedTrack();
        if (existing != null && !existing.isEnded()) {
            existing.end();
        }
        pub.setTrack(track);
        events.emit("onTrackSubscribed", l -> l.onTrackSubscribed(track, pub, p));
    }

    private void unsubscribe(RemoteParticipantImpl p, RemoteTrackPublicationImpl pub) {
        SubscribedTrack track = pub.subscribedTrack();
        if (track == null) {
            return;
        }
        pub.setTrack(null);
        track.end();
        events.emit("onTrackUnsubscribed", l -> l.onTrackUnsubscribed(track, pub, p));
    }

    /** Every subscribed track ends (the room is disconnecting): streams reading them finish. */
    void endAllTracks() {
        for (RemoteParticipant rp : remotesSnapshot().values()) {
            RemoteParticipantImpl p = (RemoteParticipantImpl) rp;
            for (var pub : p.trackPublications().values()) {
                SubscribedTrack track = ((RemoteTrackPublicationImpl) pub).subscribedTrack();
                if (track != null) {
                    track.end();
                }
            }
        }
        pendingTracks.clear();
    }

    private void expirePendingTracks() {
        long now = System.nanoTime();
        pendingTracks.entrySet().removeIf(e -> {
            if (now - e.getValue().receivedAt() > PENDING_TRACK_TTL_NANOS) {
                log.warn("received track {} that no participant publishes; ignoring it", e.getKey());
                return true;
            }
            return false;
        });
    }

    private record Located(RemoteParticipantImpl participant, RemoteTrackPublicationImpl publication) {
    }

    private Located locate(String sid) {
        synchronized (remotes) {
            for (RemoteParticipantImpl p : remotes.values()) {
                RemoteTrackPublicationImpl pub = p.publication(sid);
                if (pub != null) {
                    return new Located(p, pub);
                }
            }
        }
        return null;
    }

    // ---- data ---------------------------------------------------------------------------------

    void onUserData(DataPacket packet) {
        UserPacket user = packet.getUser();
        String identity = !packet.getParticipantIdentity().isEmpty() ? packet.getParticipantIdentity()
                : user.getParticipantIdentity();
        if (local != null && identity.equals(local.identity())) {
            return;
        }
        RemoteParticipantImpl from;
        synchronized (remotes) {
            from = remotes.get(identity);
        }
        byte[] payload = user.getPayload().toByteArray();
        String topic = user.hasTopic() ? user.getTopic() : "";
        events.emitData(payload, from, topic);
    }
}
