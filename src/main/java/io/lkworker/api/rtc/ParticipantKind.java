package io.lkworker.api.rtc;

/** What kind of client a participant is (LiveKit's {@code ParticipantInfo.Kind}). */
public enum ParticipantKind {
    STANDARD,
    INGRESS,
    EGRESS,
    SIP,
    AGENT,
    /** A kind this version does not know yet. */
    OTHER
}
