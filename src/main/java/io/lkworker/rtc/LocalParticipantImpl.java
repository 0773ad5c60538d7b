package io.lkworker.rtc;

import io.lkworker.api.rtc.ByteStreamInfo;
import io.lkworker.api.rtc.ByteStreamWriter;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalParticipant;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.api.rtc.TextStreamInfo;
import io.lkworker.api.rtc.TextStreamWriter;
import io.lkworker.api.rtc.RpcHandler;
import io.lkworker.api.rtc.TrackPublishOptions;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import livekit.LivekitModels.ParticipantInfo;

/** This client in the room; every action is carried out by the session. */
final class LocalParticipantImpl extends ParticipantBase implements LocalParticipant {

    private final RtcSession session;
    private final Map<String, LocalTrackPublicationImpl> publications = new LinkedHashMap<>();

    LocalParticipantImpl(RtcSession session, ParticipantInfo info) {
        super(info);
        this.session = session;
    }

    @Override
    public Map<String, LocalTrackPublication> trackPublications() {
        synchronized (publications) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(publications));
        }
    }

    @Override
    public LocalTrackPublication publishTrack(LocalAudioTrack track, TrackPublishOptions options) {
        return session.publishAudio(Objects.requireNonNull(track, "track"), Objects.requireNonNull(options, "options"));
    }

    @Override
    public void unpublishTrack(LocalAudioTrack track) {
        session.unpublishAudio(Objects.requireNonNull(track, "track"));
    }

    @Override
    public void publishData(byte[] data, DataOptions options) {
        session.publishData(Objects.requireNonNull(data, "data"), Objects.requireNonNull(options, "options"));
    }

    @Override
    public void setMetadata(String metadata) {
        session.updateOwnInfo(Objects.requireNonNull(metadata, "metadata"), null, Map.of());
    }

    @Override
    public void setName(String name) {
        session.updateOwnInfo(null, Objects.requireNonNull(name, "name"), Map.of());
    }

    @Override
    public void setAttributes(Map<String, String> attributes) {
        session.updateOwnInfo(null, null, Map.copyOf(attributes));
    }

    // ---- data streams

    @Override
    public TextStreamWriter streamText(StreamTextOptions options) {
        return session.outgoingStreams().streamText(Objects.requireNonNull(options, "options"));
    }

    @Override
    public TextStreamInfo sendText(String text, StreamTextOptions options) {
        return session.outgoingStreams().sendText(Objects.requireNonNull(text, "text"),
                Objects.requireNonNull(options, "options"));
    }

    @Override
    public ByteStreamWriter streamBytes(StreamBytesOptions options) {
        return session.outgoingStreams().streamBytes(Objects.requireNonNull(options, "options"));
    }

    @Override
    public ByteStreamInfo sendBytes(byte[] data, StreamBytesOptions options) {
        return session.outgoingStreams().sendBytes(Objects.requireNonNull(data, "data"),
                Objects.requireNonNull(options, "options"));
    }

    @Override
    public ByteStreamInfo sendFile(java.nio.file.Path path, StreamBytesOptions options) {
        return session.outgoingStreams().sendFile(Objects.requireNonNull(path, "path"),
                Objects.requireNonNull(options, "options"));
    }

    // ---- RPC: all of it is the session's RpcEndpoint --------------------------------------------------

    @Override
    public void registerRpcMethod(String method, RpcHandler handler) {
        session.rpc.register(method, handler);
    }

    @Override
    public void unregisterRpcMethod(String method) {
        session.rpc.unregister(method);
    }

    @Override
    public String performRpc(String destinationIdentity, String method, String payload, Duration responseTimeout) {
        return session.rpc.performRpc(destinationIdentity, method, payload, responseTimeout);
    }

    void putPublication(LocalTrackPublicationImpl publication) {
        synchronized (publications) {
            publications.put(publication.sid(), publication);
        }
    }

    LocalTrackPublicationImpl removePublication(String sid) {
        synchronized (publications) {
            return publications.remove(sid);
        }
    }

    LocalTrackPublicationImpl publicationOf(LocalAudioTrack track) {
        synchronized (publications) {
            return publications.values().stream().filter(p -> p.track() == track).findFirst().orElse(null);
        }
    }

    LocalTrackPublicationImpl[] publicationsSnapshot() {
        synchronized (publications) {
            return publications.values().toArray(new LocalTrackPublicationImpl[0]);
        }
    }

    // ---- video

    @Override
    public io.lkworker.api.rtc.LocalVideoTrackPublication publishTrack(io.lkworker.api.rtc.LocalVideoTrack track,
                                                                      TrackPublishOptions options) {
        return session.publishVideo(Objects.requireNonNull(track, "track"), Objects.requireNonNull(options, "options"));
    }

    @Override
    public void unpublishTrack(io.lkworker.api.rtc.LocalVideoTrack track) {
        session.unpublishVideo(Objects.requireNonNull(track, "track"));
    }

    @Override
    public Map<String, io.lkworker.api.rtc.LocalVideoTrackPublication> videoTrackPublications() {
        return session.videoPublications();
    }

    @Override
    public String toString() {
        return "LocalParticipant[" + identity() + " " + sid() + "]";
    }
}
