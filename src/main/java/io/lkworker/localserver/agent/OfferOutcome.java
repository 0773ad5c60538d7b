package io.lkworker.localserver.agent;

import java.util.List;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;

/**
 * How an offered job ended up (livekit/livekit {@code pkg/agent/worker.go} {@code Worker.AssignJob}).
 *
 * @param kind                what happened
 * @param jobId               {@code AJ_…}
 * @param workerId            the worker that accepted or terminate-rejected, else the last one asked (or null)
 * @param participantIdentity identity put in the job token (ASSIGNED / WITHHELD), else null
 * @param token               the job token sent in JobAssignment (ASSIGNED / WITHHELD), else null
 * @param response            the deciding AvailabilityResponse, or null (TIMEOUT, NO_WORKER)
 * @param job                 the job as last sent (with state), or as built if never sent
 * @param offeredTo           worker ids asked, in order
 * @param detail              the real server's error text for failures, else ""
 */
public record OfferOutcome(Kind kind, String jobId, String workerId, String participantIdentity, String token,
        AvailabilityResponse response, Job job, List<String> offeredTo, String detail) {

    public enum Kind {
        /** A worker accepted and JobAssignment was sent. */
        ASSIGNED,
        /** A worker accepted but {@code withholdAssignments} was on: no JobAssignment was sent. */
        WITHHELD,
        /** Every candidate answered {@code available=false} (the real server's "no workers with sufficient capacity"). */
        REJECTED_ALL,
        /** A worker answered {@code terminate=true}: the job ends, nobody else is asked. */
        TERMINATED_BY_WORKER,
        /** The asked worker did not answer within the availability timeout; not retried. */
        TIMEOUT,
        /** No registered worker could be asked (none matching, all full, or all over the target load). */
        NO_WORKER
    }

    public OfferOutcome {
        offeredTo = List.copyOf(offeredTo);
        detail = detail == null ? "" : detail;
    }

    public boolean assigned() {
        return kind == Kind.ASSIGNED;
    }
}
