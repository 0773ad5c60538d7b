package io.lkworker.localserver.agent;

import io.lkworker.localserver.Ids;
import io.lkworker.localserver.ServerConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobState;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.SimulateJobRequest;
import livekit.LivekitAgent.WorkerStatus;
import livekit.LivekitModels.Room;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers jobs to workers and assigns them (livekit/livekit {@code pkg/service/agentservice.go}
 * {@code AgentHandler.JobRequest}, {@code selectWorkerWeightedByLoad}; {@code pkg/agent/worker.go}
 * {@code Worker.AssignJob}): pick a WS_AVAILABLE worker of the
 * job's pool key weighted by {@code 1 − load}, send AvailabilityRequest, retry another worker on a
 * plain reject or a closed worker, stop on terminate-reject or timeout, sign the job token and send
 * JobAssignment on accept.
 *
 * <p>Threads: every step runs on the io executor (answers arrive on connection threads and are
 * handed over with {@code whenCompleteAsync}), so a worker whose socket is slow never stalls
 * another worker's reader. The timer only expires pending answers.
 */
final class AgentDispatcher {

    private static final Logger log = LoggerFactory.getLogger(AgentDispatcher.class);

    private final ServerConfig config;
    private final WorkerRegistry registry;
    private final Function<String, Room> rooms;
    private final ScheduledExecutorService timer;
    private final Executor io;
    private final Consumer<OfferOutcome> outcomes;
    private final Clock clock;
    private final AtomicBoolean withholdAssignments;

    AgentDispatcher(ServerConfig config, WorkerRegistry registry, Function<String, Room> rooms,
            ScheduledExecutorService timer, Executor io, Consumer<OfferOutcome> outcomes) {
        this.config = config;
        this.registry = registry;
        this.rooms = rooms;
        this.timer = timer;
        this.io = io;
        this.outcomes = outcomes;
        this.clock = config.clock();
        this.withholdAssignments = new AtomicBoolean(config.withholdAssignments());
    }

    /** One job's journey through the workers. Touched by one io task at a time. */
    private final class Attempt {
        final String jobId;
        final JobSpec spec;
        final Job baseJob;
        /** Set for SimulateJobRequest: only this worker, no status filter, no pool selection. */
        final WorkerSession fixed;
        final long deadlineNanos;
        final List<String> offeredTo = new ArrayList<>();
        final CompletableFuture<OfferOutcome> result = new CompletableFuture<>();
        Job lastJob;

        Attempt(JobSpec spec, Job baseJob, WorkerSession fixed) {
            this.jobId = baseJob.getId();
            this.spec = spec;
            this.baseJob = baseJob;
            this.fixed = fixed;
            this.lastJob = baseJob;
            // One budget for the whole job, counted from launch: the real server's psrpc request
            // expiry works that way, and with the 10 s default it equals AssignJobTimeout. Real
            // time, like the timer that enforces it (the injectable clock is for wall timestamps).
            this.deadlineNanos = System.nanoTime() + config.availabilityTimeout().toNanos();
        }
    }

    JobOffer offer(JobSpec spec) {
        Room room = rooms.apply(spec.roomName());
        Job.Builder job = Job.newBuilder()
                .setId(Ids.next(Ids.JOB))
                .setDispatchId(spec.dispatchId())
                .setType(spec.type())
                .setRoom(room)
                .setMetadata(spec.metadata())
                .setAgentName(spec.agentName());
        if (spec.participant() != null) {
            job.setParticipant(spec.participant());
        }
        return start(new Attempt(spec, job.build(), null));
    }

    /** SimulateJobRequest ({@code Worker.HandleSimulateJob}): offered to the asking worker only, room and participant from the request. */
    JobOffer simulate(WorkerSession worker, SimulateJobRequest req) {
        JobType type = req.hasParticipant() ? JobType.JT_PUBLISHER : JobType.JT_ROOM;
        String agentName = worker.registration().getAgentName();
        Job.Builder job = Job.newBuilder()
                .setId(Ids.next(Ids.JOB))
                .setType(type)
                .setRoom(req.getRoom())
                .setNamespace(worker.registration().getNamespace())
                .setAgentName(agentName);
        if (req.hasParticipant()) {
            job.setParticipant(req.getParticipant());
        }
        JobSpec spec = new JobSpec(req.getRoom().getName(), type, agentName, "",
                req.hasParticipant() ? req.getParticipant() : null, "", worker.deployment(), worker.workerId());
        return start(new Attempt(spec, job.build(), worker));
    }

    boolean anyWorkerServes(String agentName, JobType type, String deployment) {
        return !registry.serving(agentName, type, deployment).isEmpty();
    }

    void setWithholdAssignments(boolean withhold) {
        withholdAssignments.set(withhold);
    }

    private JobOffer start(Attempt attempt) {
        io.execute(() -> step(attempt));
        return new JobOffer(attempt.jobId, attempt.result.copy());
    }

    private void step(Attempt a) {
        WorkerSession worker;
        if (a.fixed != null) {
            if (!a.offeredTo.isEmpty() || !a.fixed.isOpen()) {
                finish(a, OfferOutcome.Kind.NO_WORKER, null, null, "worker closed");
                return;
            }
            worker = a.fixed;
        } else {
            worker = choose(a);
            if (worker == null) {
                return; // choose() finished the attempt
            }
        }
        long remaining = a.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            finish(a, OfferOutcome.Kind.TIMEOUT, worker.workerId(), null, "agent worker availability timeout");
            return;
        }
        long nowNs = clock.millis() * 1_000_000L;
        Job job = a.baseJob.toBuilder().setState(JobState.newBuilder()
                .setStatus(JobStatus.JS_RUNNING)
                .setWorkerId(worker.workerId())
                .setStartedAt(nowNs)
                .setUpdatedAt(nowNs)).build();
        a.lastJob = job;
        a.offeredTo.add(worker.workerId());
        log.debug("offering job {} to {}", a.jobId, worker);
        CompletableFuture<AvailabilityResponse> answer = worker.requestAvailability(job);
        ScheduledFuture<?> expiry = timer.schedule(() -> worker.expire(a.jobId, answer), remaining, TimeUnit.NANOSECONDS);
        answer.whenCompleteAsync((resp, err) -> {
            expiry.cancel(false);
            onAnswer(a, worker, job, resp, err);
        }, io);
    }

    /** The AvailabilityRequest and its answer; returns null after finishing the attempt when nobody can be asked. */
    private WorkerSession choose(Attempt a) {
        JobSpec spec = a.spec;
        List<WorkerSession> pool = registry.serving(spec.agentName(), spec.type(), spec.deployment()).stream()
                .filter(w -> spec.workerId() == null || w.workerId().equals(spec.workerId()))
                .toList();
        List<WorkerSession> candidates = pool.stream()
                .filter(w -> w.status() == WorkerStatus.WS_AVAILABLE)
                .filter(w -> !a.offeredTo.contains(w.workerId()))
                .toList();
        boolean first = a.offeredTo.isEmpty();
        if (first && pool.isEmpty()) {
            finish(a, OfferOutcome.Kind.NO_WORKER, null, null,
                    "no worker registered for agent '" + spec.agentName() + "' and " + spec.type());
            return null;
        }
        if (first && candidates.stream().noneMatch(w -> w.load() < config.targetLoad())) {
            // psrpc affinity is Σ max(0, target_load − load) over available workers; 0 ⇒ no claim.
            finish(a, OfferOutcome.Kind.NO_WORKER, null, null, "no servers available");
            return null;
        }
        double sum = candidates.stream().mapToDouble(w -> Math.max(0, 1 - w.load())).sum();
        if (sum <= 0 && !candidates.isEmpty() && Double.isInfinite(config.targetLoad())) {
            // Load rules off (dev mode): a development machine busy with builds must not starve its
            // own worker (livekit/agents issue #717), so every available worker weighs the same.
            return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        }
        if (sum <= 0) {
            OfferOutcome.Kind kind = first ? OfferOutcome.Kind.NO_WORKER : OfferOutcome.Kind.REJECTED_ALL;
            String last = first ? null : a.offeredTo.get(a.offeredTo.size() - 1);
            finish(a, kind, last, null, "no workers with sufficient capacity");
            return null;
        }
        double pick = ThreadLocalRandom.current().nextDouble() * sum;
        for (WorkerSession w : candidates) {
            pick -= Math.max(0, 1 - w.load());
            if (pick < 0) {
                return w;
            }
        }
        return candidates.get(candidates.size() - 1);
    }

    private void onAnswer(Attempt a, WorkerSession worker, Job job, AvailabilityResponse resp, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof TimeoutException) {
            finish(a, OfferOutcome.Kind.TIMEOUT, worker.workerId(), null, "agent worker availability timeout");
        } else if (cause != null) {
            log.info("job {}: {} while waiting for {}, trying another worker", a.jobId, cause.getMessage(), worker);
            step(a);
        } else if (resp.getTerminate()) {
            long nowNs = clock.millis() * 1_000_000L;
            a.lastJob = job.toBuilder().setState(job.getState().toBuilder()
                    .setStatus(JobStatus.JS_SUCCESS).setEndedAt(nowNs).setUpdatedAt(nowNs)).build();
            finish(a, OfferOutcome.Kind.TERMINATED_BY_WORKER, worker.workerId(), resp, "");
        } else if (!resp.getAvailable()) {
            log.info("job {}: {} not available, trying another worker", a.jobId, worker);
            step(a);
        } else {
            assign(a, worker, job, resp);
        }
    }

    private void assign(Attempt a, WorkerSession worker, Job job, AvailabilityResponse resp) {
        String identity = resp.getParticipantIdentity();
        Map<String, String> attributes = new LinkedHashMap<>(resp.getParticipantAttributesMap());
        attributes.put(AgentJobToken.AGENT_NAME_ATTRIBUTE, worker.registration().getAgentName());
        String token = AgentJobToken.build(worker.apiKey(), worker.apiSecret(), job.getRoom().getName(), identity,
                resp.getParticipantName(), resp.getParticipantMetadata(), attributes, worker.permissions(),
                clock.millis(), config.jobTokenTtl());
        Job assigned = job.toBuilder()
                .setState(job.getState().toBuilder().setParticipantIdentity(identity)).build();
        a.lastJob = assigned;
        if (withholdAssignments.get()) {
            log.info("job {}: accepted by {}, assignment withheld on purpose", a.jobId, worker);
            finish(a, OfferOutcome.Kind.WITHHELD, worker.workerId(), resp, identity, token, "");
        } else if (!worker.assign(assigned, token, config.assignmentUrl())) {
            log.info("job {}: {} closed before the assignment, trying another worker", a.jobId, worker);
            step(a);
        } else {
            finish(a, OfferOutcome.Kind.ASSIGNED, worker.workerId(), resp, identity, token, "");
        }
    }

    private void finish(Attempt a, OfferOutcome.Kind kind, String workerId, AvailabilityResponse resp, String detail) {
        finish(a, kind, workerId, resp, null, null, detail);
    }

    private void finish(Attempt a, OfferOutcome.Kind kind, String workerId, AvailabilityResponse resp,
            String identity, String token, String detail) {
        OfferOutcome outcome = new OfferOutcome(kind, a.jobId, workerId, identity, token, resp, a.lastJob,
                a.offeredTo, detail);
        if (kind == OfferOutcome.Kind.ASSIGNED) {
            log.info("job {} ({}, room '{}') assigned to {} as '{}'", a.jobId, a.spec.type(), a.spec.roomName(),
                    workerId, identity);
        } else {
            log.info("job {} ({}, room '{}'): {}{}", a.jobId, a.spec.type(), a.spec.roomName(), kind,
                    detail.isEmpty() ? "" : " (" + detail + ")");
        }
        try {
            outcomes.accept(outcome);
        } finally {
            a.result.complete(outcome);
        }
    }
}
