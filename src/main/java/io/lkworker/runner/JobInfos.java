package io.lkworker.runner;

import io.lkworker.api.JobInfo;
import io.lkworker.api.JobType;
import io.lkworker.api.ParticipantInfo;
import io.lkworker.api.RoomInfo;
import livekit.LivekitAgent;
import livekit.LivekitModels;

/** Translates LiveKit's wire types into the API's plain records (agents never see protobuf types). */
public final class JobInfos {

    private JobInfos() {
    }

    public static JobInfo fromProto(LivekitAgent.Job job) {
        LivekitModels.Room room = job.getRoom();
        RoomInfo roomInfo = new RoomInfo(room.getSid(), room.getName(), room.getMetadata(),
                room.getNumParticipants(),
                room.getCreationTimeMs() != 0 ? room.getCreationTimeMs() : room.getCreationTime() * 1000);
        ParticipantInfo participant = job.hasParticipant() ? participant(job.getParticipant()) : null;
        return new JobInfo(job.getId(), jobType(job.getType()), roomInfo, participant, job.getMetadata(),
                job.getAgentName(), job.getDispatchId(), NewerFields.attributes(job), NewerFields.deployment(job));
    }

    public static JobType jobType(LivekitAgent.JobType type) {
        return switch (type) {
            case JT_PUBLISHER -> JobType.PUBLISHER;
            case JT_PARTICIPANT -> JobType.PARTICIPANT;
            default -> JobType.ROOM;
        };
    }

    public static LivekitAgent.JobType toProto(JobType type) {
        return switch (type) {
            case ROOM -> LivekitAgent.JobType.JT_ROOM;
            case PUBLISHER -> LivekitAgent.JobType.JT_PUBLISHER;
            case PARTICIPANT -> LivekitAgent.JobType.JT_PARTICIPANT;
        };
    }

    private static ParticipantInfo participant(LivekitModels.ParticipantInfo p) {
        return new ParticipantInfo(p.getSid(), p.getIdentity(), p.getName(), p.getMetadata(),
                p.getAttributesMap(), p.getKind().name());
    }
}
