package io.lkworker.worker;

import java.util.List;

/**
 * An immutable picture of the worker, republished by the loop after every state change and read by
 * HTTP handler threads without locks (design §2).
 *
 * @param agentName registered agent name ("" = automatic dispatch)
 * @param workerId id of the current server connection ("" before the first registration)
 * @param workerType JT_ROOM, JT_PUBLISHER or JT_PARTICIPANT
 * @param state connecting, registered, reconnecting, draining, closed, failed
 * @param healthy false once the worker has given up (a liveness probe should restart it)
 * @param failure why it gave up, "" otherwise
 * @param load current load in [0, 1]
 * @param jobs running jobs
 * @param idleProcesses warm children ready for a job
 * @param startingProcesses children being started or prewarmed
 * @param reconnects successful re-registrations so far
 * @param version lk-worker version
 * @param protocolVersion agent protocol version
 * @param available whether the worker tells the server it takes jobs (registered and not full)
 * @param availability what decided it: effective load and threshold, jobs and --max-jobs, or draining
 * @param jobProcesses job processes alive: idle, starting and running a job (0 for the thread executor)
 */
public record WorkerSnapshot(String agentName, String workerId, String workerType, String state, boolean healthy,
                             String failure, double load, List<JobSnapshot> jobs, int idleProcesses,
                             int startingProcesses, int reconnects, String version, int protocolVersion,
                             boolean available, String availability, int jobProcesses) {

    /** A snapshot whose job processes are the idle, starting and running ones (tests). */
    public WorkerSnapshot(String agentName, String workerId, String workerType, String state, boolean healthy,
                          String failure, double load, List<JobSnapshot> jobs, int idleProcesses,
                          int startingProcesses, int reconnects, String version, int protocolVersion,
                          boolean available, String availability) {
        this(agentName, workerId, workerType, state, healthy, failure, load, jobs, idleProcesses, startingProcesses,
                reconnects, version, protocolVersion, available, availability,
                idleProcesses + startingProcesses + jobs.size());
    }

    /** A snapshot of a worker that is not available (tests). */
    public WorkerSnapshot(String agentName, String workerId, String workerType, String state, boolean healthy,
                          String failure, double load, List<JobSnapshot> jobs, int idleProcesses,
                          int startingProcesses, int reconnects, String version, int protocolVersion) {
        this(agentName, workerId, workerType, state, healthy, failure, load, jobs, idleProcesses, startingProcesses,
                reconnects, version, protocolVersion, false, "");
    }

    /** The agent protocol version this worker speaks. */
    public static final int PROTOCOL_VERSION = 1;

    public WorkerSnapshot {
        jobs = List.copyOf(jobs);
    }

    public int jobCount() {
        return jobs.size();
    }

    /** Before the loop publishes anything. */
    public static WorkerSnapshot initial(String agentName, String workerType) {
        return new WorkerSnapshot(agentName, "", workerType, WorkerState.STARTING.label(), true, "", 0, List.of(),
                0, 0, 0, Version.current(), PROTOCOL_VERSION, false, "not registered", 0);
    }

    /**
     * One running job.
     *
     * @param id job id
     * @param room room name
     * @param participantIdentity the agent's identity in the room
     * @param startedAtMillis when it was launched (Unix ms)
     * @param pid the process running it (0 until known)
     * @param running whether its entrypoint started
     * @param usage its CPU, memory and room counts as far as known
     */
    public record JobSnapshot(String id, String room, String participantIdentity, long startedAtMillis, long pid,
                              boolean running, JobUsage usage) {

        public JobSnapshot {
            usage = usage == null ? JobUsage.UNKNOWN : usage;
        }

        /** A job whose usage is unknown (tests, an executor that measures nothing). */
        public JobSnapshot(String id, String room, String participantIdentity, long startedAtMillis, long pid,
                           boolean running) {
            this(id, room, participantIdentity, startedAtMillis, pid, running, JobUsage.UNKNOWN);
        }
    }
}
