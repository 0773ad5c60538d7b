package io.lkworker.api;

import java.util.Map;
import java.util.Optional;

/**
 * Everything the server said about a job.
 *
 * @param id job id ({@code AJ_...})
 * @param type what the job is bound to
 * @param room the job's room
 * @param participant the target participant of a publisher/participant job, or null
 * @param metadata dispatch metadata, "" when none
 * @param agentName the agent name the job was dispatched to, "" for automatic dispatch
 * @param dispatchId the dispatch id ({@code AD_...}), "" when none
 * @param attributes dispatch attributes (never null)
 * @param deployment deployment label, "" when none
 */
public record JobInfo(String id, JobType type, RoomInfo room, ParticipantInfo participant, String metadata,
                      String agentName, String dispatchId, Map<String, String> attributes, String deployment) {
    public JobInfo {
        attributes = Map.copyOf(attributes);
    }

    /** The target participant, if this job has one. */
    public Optional<ParticipantInfo> targetParticipant() {
        return Optional.ofNullable(participant);
    }
}
