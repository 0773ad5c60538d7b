package io.lkworker.worker;

import io.lkworker.api.AcceptOptions;
import io.lkworker.api.Agent;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.runner.JobInfos;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import livekit.LivekitAgent;
import livekit.LivekitAgent.AvailabilityResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Answers the server's availability requests and waits for the assignments that follow an accept.
 * Loop thread only, except the agent's {@code onRequest}, which runs on a request thread under a
 * deadline so a slow or hung handler can never delay the answer past the server's ~3 s window.
 */
final class AvailabilityHandler {

    private static final Logger log = LoggerFactory.getLogger(AvailabilityHandler.class);
    /** After an accept the server sends the assignment at once; livekit/agents {@code worker.py} waits 7.5 s ({@code ASSIGNMENT_TIMEOUT}). */
    static final long ASSIGNMENT_TIMEOUT_MILLIS = 7_500;
    /** The attribute every accepted agent participant carries (livekit/agents {@code types.py} {@code ATTRIBUTE_AGENT_NAME}). */
    static final String AGENT_NAME_ATTRIBUTE = "lk.agent.name";

    /** What the handler needs from the worker. Loop thread. */
    interface Host {
        boolean canTakeJob();

        boolean isDraining();

        void send(LivekitAgent.WorkerMessage message);

        void launch(LivekitAgent.JobAssignment assignment, LivekitAgent.Job job, AcceptArguments accept);

        /** Reserved slots changed (effective load, status). */
        void reservationsChanged();

        /** Whether {@code jobId} is running (launched and not ended) on this worker. */
        boolean runsJob(String jobId);

        /** A stage of the job for the {@link JobLifecycleListener}s. */
        default void jobStage(String jobId, String room, JobLifecycleListener.Stage stage, String detail,
                              JobLifecycleListener.Details details) {
        }

        /** This worker's id at the server ("" before it registered). */
        default String workerId() {
            return "";
        }
    }

    private record Pending(LivekitAgent.Job job, OfferedJob offer, Timer deadline, long receivedNanos,
                           Future<?> task) { }

    private record Accepted(LivekitAgent.Job job, AcceptArguments accept, Timer timeout) { }

    private final EventLoop loop;
    /** Replaced by a dev-mode reload (loop thread). */
    private Agent agent;
    private final String agentName;
    private final long requestTimeoutMillis;
    private final ExecutorService requestThreads;
    private final Host host;
    private final WorkerMetrics metrics;
    /** Requests whose onRequest has not decided yet, by job id. */
    private final Map<String, Pending> deciding = new HashMap<>();
    /** Accepted jobs waiting for their JobAssignment, by job id. */
    private final Map<String, Accepted> awaitingAssignment = new HashMap<>();

    AvailabilityHandler(EventLoop loop, Agent agent, String agentName, long requestTimeoutMillis,
                        ExecutorService requestThreads, WorkerMetrics metrics, Host host) {
        this.loop = loop;
        this.agent = agent;
        this.agentName = agentName;
        this.requestTimeoutMillis = requestTimeoutMillis;
        this.requestThreads = requestThreads;
        this.host = host;
        this.metrics = metrics;
    }

    void setAgent(Agent next) {
        this.agent = next;
    }

    /** Offers being decided plus accepts waiting for assignment: they count toward the load. */
    /** Accepted offers whose assignment has not arrived yet: each will need a job process. */
    int acceptedAwaitingAssignment() {
        return awaitingAssignment.size();
    }

    int reservedSlots() {
        return deciding.size() + awaitingAssignment.size();
    }

    boolean idle() {
        return deciding.isEmpty() && awaitingAssignment.isEmpty();
    }

    /**
     * The worker stops taking jobs (drain, stop): every offer whose {@code onRequest} has not decided
     * yet is declined now, plainly, so the server offers it to a worker that is not leaving; the
     * agent's decision, when it comes, is ignored. Accepts already sent still wait for their
     * assignment (the server may have assigned the job to us; dropping it would lose it).
     */
    void declineUndecided(String why) {
        assert loop.inLoop();
        for (String jobId : List.copyOf(deciding.keySet())) {
            undecided(jobId, why);
        }
    }

    /**
     * Runs the offer path once without an offer, before the worker registers: decoding, the API
     * records, the decision, the answer's encoding, a request thread. A daemon's first answer
     * otherwise pays for all of it (class loading, lambda bootstraps, interpreted code): measured
     * 0.4-3.6 s on a loaded 2-core machine, against the server's ~3 s window (FleetTest).
     */
    void warmUp() {
        assert loop.inLoop();
        LivekitAgent.Job sample = LivekitAgent.Job.newBuilder().setId("AJ_warmup")
                .setType(LivekitAgent.JobType.JT_ROOM)
                .setRoom(livekit.LivekitModels.Room.newBuilder().setName("warmup").setSid("RM_warmup"))
                .setParticipant(livekit.LivekitModels.ParticipantInfo.newBuilder().setIdentity("warmup"))
                .build();
        try {
            LivekitAgent.ServerMessage.parseFrom(LivekitAgent.ServerMessage.newBuilder().setAvailability(
                    LivekitAgent.AvailabilityRequest.newBuilder().setJob(sample)).build().toByteArray());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        OfferedJob offer = new OfferedJob(JobInfos.fromProto(sample), decision -> { });
        offer.accept(AcceptOptions.defaults().withName("warmup").withAttribute("k", "v"));
        AcceptArguments args = resolve(sample, AcceptOptions.defaults());
        LivekitAgent.WorkerMessage.newBuilder().setAvailability(AvailabilityResponse.newBuilder()
                .setJobId(sample.getId()).setAvailable(true).setParticipantIdentity(args.identity())
                .setParticipantName(args.name()).setParticipantMetadata(args.metadata())
                .putAllParticipantAttributes(args.attributes())).build().toByteArray();
        loop.schedule(requestTimeoutMillis, () -> { }).cancel();
        MDC.put("job_id", sample.getId());
        MDC.remove("job_id");
        try {
            requestThreads.submit(() -> { }); // a request thread, kept alive while idle
        } catch (RejectedExecutionException ignored) {
            // shut down: nothing to warm
        }
    }

    void onAvailabilityRequest(LivekitAgent.AvailabilityRequest request) {
        assert loop.inLoop();
        if (!request.hasJob() || request.getJob().getId().isEmpty()) {
            // Nothing to answer to: an answer for job "" could only be misrouted or, accepted, launch nothing real.
            malformed("availability", "an availability request " + (request.hasJob() ? "with an empty job id"
                    : "without a job"));
            return;
        }
        LivekitAgent.Job job = request.getJob();
        withJob(job, () -> onValidRequest(job));
    }

    /** An offer with a job id; the MDC carries the job's id and room. */
    private void onValidRequest(LivekitAgent.Job job) {
        String jobId = job.getId();
        if (deciding.containsKey(jobId) || awaitingAssignment.containsKey(jobId)) {
            log.warn("duplicate availability request for job {}; ignoring it", jobId);
            return;
        }
        host.jobStage(jobId, job.getRoom().getName(), JobLifecycleListener.Stage.OFFERED,
                "agent '" + job.getAgentName() + "'", JobLifecycleListener.Details.offered(
                        job.getAgentName().isEmpty() ? agentName : job.getAgentName(), job.getDispatchId(),
                        host.workerId()));
        if (host.runsJob(jobId)) {
            // Accepting would launch a second child for the id and orphan the first.
            log.warn("declining job {}: it is already running on this worker", jobId);
            answerReject(jobId, false, "already running on this worker");
            metrics.availabilityAnswered("declined", 0);
            return;
        }
        if (host.isDraining() || !host.canTakeJob()) {
            String why = host.isDraining() ? "worker is draining" : "worker is at capacity";
            log.info("declining job {}: {}", jobId, why);
            answerReject(jobId, false, why);
            metrics.availabilityAnswered("declined", 0);
            return;
        }
        log.info("received job request {} (room {}{}, agent '{}')", jobId, job.getRoom().getName(),
                job.getDispatchId().isEmpty() ? "" : ", dispatch " + job.getDispatchId(), job.getAgentName());
        OfferedJob offer = new OfferedJob(JobInfos.fromProto(job),
                decision -> loop.execute(() -> onDecision(jobId, decision)));
        long received = loop.clock().nanos();
        // Decisions reach the loop through execute(), so none can be handled before the put below.
        Future<?> task = runOnRequest(job, offer);
        if (task == null) {
            log.warn("declining job {}: {} onRequest calls are still running (does the agent's onRequest hang?)",
                    jobId, reservedSlots());
            answerReject(jobId, false, reservedSlots() + " onRequest calls are still running");
            metrics.availabilityAnswered("declined", 0);
            return;
        }
        Timer deadline = loop.schedule(requestTimeoutMillis, () -> onDeadline(jobId));
        deciding.put(jobId, new Pending(job, offer, deadline, received, task));
        host.reservationsChanged();
    }

    /**
     * Runs {@code body} with the job's id and room in the MDC (design §11: every line about a job
     * carries both), restoring what was there before.
     */
    static void withJob(LivekitAgent.Job job, Runnable body) {
        String previousJob = MDC.get("job_id");
        String previousRoom = MDC.get("room");
        MDC.put("job_id", job.getId());
        MDC.put("room", job.getRoom().getName());
        try {
            body.run();
        } finally {
            restore("job_id", previousJob);
            restore("room", previousRoom);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    /**
     * Starts the agent's onRequest on a request thread, with the job's id and room in that thread's
     * MDC (what the agent logs there is about this job); null when no thread is free.
     */
    private Future<?> runOnRequest(LivekitAgent.Job job, OfferedJob offer) {
        Agent current = agent;
        String jobId = job.getId();
        try {
            return requestThreads.submit(() -> withJob(job, () -> {
                try {
                    current.onRequest(offer);
                } catch (Throwable t) {
                    loop.execute(() -> undecided(jobId, "onRequest threw " + t));
                    return;
                }
                if (!offer.decided()) {
                    loop.execute(() -> undecided(jobId, "onRequest returned without accepting or rejecting"));
                }
            }));
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void onDeadline(String jobId) {
        undecided(jobId, "onRequest did not decide within " + requestTimeoutMillis + " ms");
    }

    /** No usable decision: decline plainly so the server can offer the job to another worker. */
    private void undecided(String jobId, String why) {
        Pending pending = deciding.remove(jobId);
        if (pending == null) {
            return;
        }
        withJob(pending.job(), () -> declineUndecided(jobId, pending, why));
    }

    private void declineUndecided(String jobId, Pending pending, String why) {
        pending.deadline().cancel();
        pending.task().cancel(true); // a handler still running past its deadline is interrupted
        log.warn("declining job {}: {}", jobId, why);
        answerReject(jobId, false, why);
        metrics.availabilityAnswered("declined", elapsed(pending));
        host.reservationsChanged();
    }

    private void onDecision(String jobId, OfferedJob.Decision decision) {
        Pending pending = deciding.remove(jobId);
        if (pending == null) {
            MDC.put("job_id", jobId);
            try {
                log.warn("ignoring a late decision for job {} (already answered)", jobId);
            } finally {
                MDC.remove("job_id");
            }
            return;
        }
        withJob(pending.job(), () -> answer(jobId, pending, decision));
    }

    private void answer(String jobId, Pending pending, OfferedJob.Decision decision) {
        pending.deadline().cancel();
        if (decision instanceof OfferedJob.Decision.Accept && host.isDraining()) {
            // Not reachable while drain declines undecided offers at once; kept as the rule itself:
            // no accept leaves a worker that is draining or stopped.
            log.info("declining job {}: the agent accepted it, but the worker is draining", jobId);
            answerReject(jobId, false, "the agent accepted it, but the worker is draining");
            metrics.availabilityAnswered("declined", elapsed(pending));
        } else if (decision instanceof OfferedJob.Decision.Reject reject) {
            log.info("agent rejected job {}{}", jobId, reject.terminate() ? " (terminate)" : "");
            answerReject(jobId, reject.terminate(), "the agent rejected it" + (reject.terminate() ? " (terminate)" : ""));
            metrics.availabilityAnswered("rejected", elapsed(pending));
        } else if (decision instanceof OfferedJob.Decision.Accept accept) {
            AcceptArguments args = resolve(pending.job(), accept.options());
            Timer timeout = loop.schedule(ASSIGNMENT_TIMEOUT_MILLIS, () -> onAssignmentTimeout(jobId));
            // Park the accept before answering, so an assignment can never overtake it.
            awaitingAssignment.put(jobId, new Accepted(pending.job(), args, timeout));
            host.send(LivekitAgent.WorkerMessage.newBuilder().setAvailability(AvailabilityResponse.newBuilder()
                    .setJobId(jobId).setAvailable(true)
                    .setParticipantIdentity(args.identity()).setParticipantName(args.name())
                    .setParticipantMetadata(args.metadata()).putAllParticipantAttributes(args.attributes()))
                    .build());
            metrics.availabilityAnswered("accepted", elapsed(pending));
            log.info("accepted job {} as '{}'", jobId, args.identity());
            host.jobStage(jobId, pending.job().getRoom().getName(), JobLifecycleListener.Stage.ACCEPTED,
                    "as " + args.identity(), JobLifecycleListener.Details.decided(args.identity(), "the agent accepted it"));
        }
        host.reservationsChanged();
    }

    private double elapsed(Pending pending) {
        return (loop.clock().nanos() - pending.receivedNanos()) / 1e9;
    }

    AcceptArguments resolve(LivekitAgent.Job job, AcceptOptions options) {
        String identity = options.identity().isBlank() ? "agent-" + job.getId() : options.identity();
        Map<String, String> attributes = new HashMap<>(options.attributes());
        attributes.put(AGENT_NAME_ATTRIBUTE, agentName);
        return new AcceptArguments(identity, options.name(), options.metadata(), attributes);
    }

    void onAssignment(LivekitAgent.JobAssignment assignment) {
        if (!assignment.hasJob() || assignment.getJob().getId().isEmpty()) {
            malformed("assignment", "a job assignment " + (assignment.hasJob() ? "with an empty job id"
                    : "without a job"));
            return;
        }
        String jobId = assignment.getJob().getId();
        Accepted accepted = awaitingAssignment.remove(jobId);
        if (accepted == null) {
            withJob(assignment.getJob(), () -> log.warn("received an assignment for unknown job {}; ignoring it", jobId));
            return;
        }
        accepted.timeout().cancel();
        // Launch first, then release the reservation: the other order lets a status report in between
        // see neither the job nor its reservation and announce WS_AVAILABLE at --max-jobs.
        host.launch(assignment, accepted.job(), accepted.accept());
        host.reservationsChanged();
    }

    private void onAssignmentTimeout(String jobId) {
        Accepted accepted = awaitingAssignment.remove(jobId);
        if (accepted != null) {
            withJob(accepted.job(), () -> log.warn("no assignment for accepted job {} within {} ms; not launching it",
                    jobId, ASSIGNMENT_TIMEOUT_MILLIS));
            host.jobStage(jobId, accepted.job().getRoom().getName(), JobLifecycleListener.Stage.ENDED,
                    "no assignment", JobLifecycleListener.Details.ended(false,
                            "no assignment within " + ASSIGNMENT_TIMEOUT_MILLIS + " ms"));
            host.reservationsChanged();
        }
    }

    /** A server message we cannot act on: logged and counted, never acted on. */
    void malformed(String kind, String what) {
        log.warn("ignoring {} from the server (malformed)", what);
        metrics.malformedServerMessage(kind);
    }

    /** {@code why}: the reason in words, for the job's listeners (a trace shows it). */
    private void answerReject(String jobId, boolean terminate, String why) {
        host.jobStage(jobId, "", JobLifecycleListener.Stage.DECLINED, terminate ? "rejected (terminate)" : "",
                JobLifecycleListener.Details.decided("", why));
        host.send(LivekitAgent.WorkerMessage.newBuilder().setAvailability(AvailabilityResponse.newBuilder()
                .setJobId(jobId).setAvailable(false).setTerminate(terminate)).build());
    }
}
