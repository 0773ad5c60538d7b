package io.lkworker.localserver.agent;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitAgent.JobType;

/**
 * The registered, connected workers (the real server's worker pool). Sessions enter after their
 * RegisterWorkerResponse was sent and leave when their connection ends. Copy-on-write: reads
 * (selection, control API) far outnumber registrations.
 */
final class WorkerRegistry {

    private final List<WorkerSession> workers = new CopyOnWriteArrayList<>();

    void add(WorkerSession session) {
        workers.add(session);
    }

    /** True when the session was registered. */
    boolean remove(WorkerSession session) {
        return workers.remove(session);
    }

    List<WorkerSession> all() {
        return List.copyOf(workers);
    }

    Optional<WorkerSession> find(String workerId) {
        return workers.stream().filter(w -> w.workerId().equals(workerId)).findFirst();
    }

    /**
     * Workers in the pool key of a job: same agent name, job type and deployment (the namespace is
     * deprecated and never set by the SDKs, so it is not part of the key here).
     */
    List<WorkerSession> serving(String agentName, JobType type, String deployment) {
        return workers.stream()
                .filter(w -> w.registration().getAgentName().equals(agentName))
                .filter(w -> w.registration().getType() == type)
                .filter(w -> w.deployment().equals(deployment))
                .toList();
    }
}
