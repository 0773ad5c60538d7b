package io.lkworker.rtc;

import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrackPublication;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import livekit.LivekitModels.ParticipantInfo;

/** Another participant; its publications change on the session thread only. */
final class RemoteParticipantImpl extends ParticipantBase implements RemoteParticipant {

    /** By track sid, in publication order. Written on the session thread; read under its own lock. */
    private final Map<String, RemoteTrackPublicationImpl> publications = new LinkedHashMap<>();

    RemoteParticipantImpl(ParticipantInfo info) {
        super(info);
    }

    @Override
    public Map<String, RemoteTrackPublication> trackPublications() {
        synchronized (publications) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(publications));
        }
    }

    RemoteTrackPublicationImpl publication(String sid) {
        synchronized (publications) {
            return publications.get(sid);
        }
    }

    void putPublication(RemoteTrackPublicationImpl publication) {
        synchronized (publications) {
            publications.put(publication.sid(), publication);
        }
    }

    RemoteTrackPublicationImpl removePublication(String sid) {
        synchronized (publications) {
            return publications.remove(sid);
        }
    }

    @Override
    public String toString() {
        return "RemoteParticipant[" + identity() + " " + sid() + " " + kind() + "]";
    }
}
