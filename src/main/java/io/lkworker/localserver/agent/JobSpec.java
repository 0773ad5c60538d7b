package io.lkworker.localserver.agent;

import java.util.Objects;
import livekit.LivekitAgent.JobType;
import livekit.LivekitModels.ParticipantInfo;

/**
 * What to offer: the fields of a {@code Job} the caller chooses. The server fills in the rest
 * (job id, room snapshot, state). Start from {@link #forRoom(String)} and use the withers.
 *
 * @param roomName    room to run the job in; created (with an {@code RM_} sid) if it does not exist
 * @param type        must equal the job type the worker registered for
 * @param agentName   "" for automatic dispatch; must equal the worker's agent_name
 * @param metadata    dispatch metadata handed to the job
 * @param participant target participant for JT_PUBLISHER / JT_PARTICIPANT, or null
 * @param dispatchId  {@code AD_…} of the dispatch this job belongs to, or ""
 * @param deployment  must equal the worker's registered deployment (usually "")
 * @param workerId    offer only to this worker, or null for the normal load-weighted choice
 */
public record JobSpec(String roomName, JobType type, String agentName, String metadata,
        ParticipantInfo participant, String dispatchId, String deployment, String workerId) {

    public JobSpec {
        Objects.requireNonNull(roomName, "roomName");
        Objects.requireNonNull(type, "type");
        agentName = Objects.requireNonNullElse(agentName, "");
        metadata = Objects.requireNonNullElse(metadata, "");
        dispatchId = Objects.requireNonNullElse(dispatchId, "");
        deployment = Objects.requireNonNullElse(deployment, "");
    }

    /** A JT_ROOM job for automatic dispatch (agent name "") in {@code roomName}. */
    public static JobSpec forRoom(String roomName) {
        return new JobSpec(roomName, JobType.JT_ROOM, "", "", null, "", "", null);
    }

    public JobSpec withType(JobType t) {
        return new JobSpec(roomName, t, agentName, metadata, participant, dispatchId, deployment, workerId);
    }

    public JobSpec withAgentName(String name) {
        return new JobSpec(roomName, type, name, metadata, participant, dispatchId, deployment, workerId);
    }

    public JobSpec withMetadata(String m) {
        return new JobSpec(roomName, type, agentName, m, participant, dispatchId, deployment, workerId);
    }

    public JobSpec withParticipant(ParticipantInfo p) {
        return new JobSpec(roomName, type, agentName, metadata, p, dispatchId, deployment, workerId);
    }

    public JobSpec withDispatchId(String id) {
        return new JobSpec(roomName, type, agentName, metadata, participant, id, deployment, workerId);
    }

    public JobSpec withDeployment(String d) {
        return new JobSpec(roomName, type, agentName, metadata, participant, dispatchId, d, workerId);
    }

    /** Offer only to this worker (still subject to its status, as in the real selection). */
    public JobSpec onlyTo(String targetWorkerId) {
        return new JobSpec(roomName, type, agentName, metadata, participant, dispatchId, deployment, targetWorkerId);
    }
}
