package io.lkworker.api.rtc;

import java.util.Map;

/** Someone in the room, as the server last described them. */
public interface Participant {

    /** The participant's id in the room ({@code PA_...}). */
    String sid();

    String identity();

    String name();

    String metadata();

    /** Key-value attributes (never null). */
    Map<String, String> attributes();

    ParticipantKind kind();

    /** Published tracks by track id. */
    Map<String, ? extends TrackPublication> trackPublications();
}
