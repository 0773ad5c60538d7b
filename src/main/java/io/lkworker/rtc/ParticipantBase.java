package io.lkworker.rtc;

import io.lkworker.api.rtc.ParticipantKind;
import java.util.Map;
import livekit.LivekitModels.ParticipantInfo;

/** What local and remote participants share: the server's latest {@code ParticipantInfo}. */
abstract class ParticipantBase {

    protected volatile ParticipantInfo info;

    ParticipantBase(ParticipantInfo info) {
        this.info = info;
    }

    public String sid() {
        return info.getSid();
    }

    public String identity() {
        return info.getIdentity();
    }

    public String name() {
        return info.getName();
    }

    public String metadata() {
        return info.getMetadata();
    }

    public Map<String, String> attributes() {
        return Map.copyOf(info.getAttributesMap());
    }

    public ParticipantKind kind() {
        return Kinds.participant(info.getKind());
    }

    ParticipantInfo info() {
        return info;
    }

    void setInfo(ParticipantInfo info) {
        this.info = info;
    }
}
