package io.lkworker.api.rtc;

import java.util.Map;

/** Another participant of the room. */
public interface RemoteParticipant extends Participant {

    @Override
    Map<String, RemoteTrackPublication> trackPublications();
}
