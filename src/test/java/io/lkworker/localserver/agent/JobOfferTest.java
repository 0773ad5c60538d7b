package io.lkworker.localserver.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.ServerListener;
import io.lkworker.localserver.TestWorker;
import io.lkworker.serverlink.AccessToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitAgent.AvailabilityRequest;
import livekit.LivekitAgent.AvailabilityResponse;
import livekit.LivekitAgent.Job;
import livekit.LivekitAgent.JobAssignment;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.JobType;
import livekit.LivekitAgent.MigrateJobRequest;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.SimulateJobRequest;
import livekit.LivekitAgent.UpdateJobStatus;
import livekit.LivekitAgent.UpdateWorkerStatus;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitAgent.WorkerPing;
import livekit.LivekitAgent.WorkerStatus;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitModels.Room;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Offering, assigning, rejecting, timing out and terminating jobs through the control API. */
class JobOfferTest {

    private static final Duration WAIT = TestWorker.WAIT;
    /** Short so the timeout test stays fast; answers in the other tests come within milliseconds. */
    private static final Duration AVAILABILITY_TIMEOUT = Duration.ofMillis(1500);

    private LocalLiveKitServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder()
                .availabilityTimeout(AVAILABILITY_TIMEOUT)
                .build()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void acceptedJobIsAssignedWithATokenForTheChosenIdentity() throws Exception {
        TestWorker worker = TestWorker.registered(server, "my-agent");
        WorkerHandle handle = server.awaitWorker(WAIT);

        JobOffer offer = server.offerJob(JobSpec.forRoom("room-1").withAgentName("my-agent").withMetadata("meta"));
        AvailabilityRequest req = worker.nextAvailability();
        Job job = req.getJob();
        assertThat(job.getId()).isEqualTo(offer.jobId()).startsWith("AJ_");
        assertThat(job.getType()).isEqualTo(JobType.JT_ROOM);
        assertThat(job.getRoom().getName()).isEqualTo("room-1");
        assertThat(job.getRoom().getSid()).startsWith("RM_");
        assertThat(job.getAgentName()).isEqualTo("my-agent");
        assertThat(job.getMetadata()).isEqualTo("meta");
        assertThat(job.getState().getStatus()).isEqualTo(JobStatus.JS_RUNNING);
        assertThat(job.getState().getWorkerId()).isEqualTo(handle.workerId());
        assertThat(job.getState().getStartedAt()).isPositive();
        assertThat(req.getResuming()).isFalse();

        worker.answer(accept(job, "agent-" + job.getId()));
        ServerMessage next = worker.next();
        assertThat(next.hasAssignment()).as("JobAssignment follows the accept: %s", next).isTrue();
        JobAssignment assignment = next.getAssignment();
        assertThat(assignment.getJob().getId()).isEqualTo(job.getId());
        assertThat(assignment.getJob().getState().getParticipantIdentity()).isEqualTo("agent-" + job.getId());
        assertThat(assignment.hasUrl()).isFalse();

        JsonObject claims = AccessToken.verify(assignment.getToken(), "secret", System.currentTimeMillis());
        assertThat(claims.get("iss").getAsString()).isEqualTo("devkey");
        assertThat(claims.get("sub").getAsString()).isEqualTo("agent-" + job.getId());
        assertThat(claims.get("name").getAsString()).isEqualTo("Agent");
        assertThat(claims.get("kind").getAsString()).isEqualTo("agent");
        assertThat(claims.get("exp").getAsLong() - claims.get("nbf").getAsLong()).isEqualTo(3600);
        assertThat(claims.getAsJsonObject("attributes").get("lk.agent_name").getAsString()).isEqualTo("my-agent");
        assertThat(claims.getAsJsonObject("attributes").get("lk.agent.name").getAsString()).isEqualTo("my-agent");
        JsonObject video = claims.getAsJsonObject("video");
        assertThat(video.get("roomJoin").getAsBoolean()).isTrue();
        assertThat(video.get("agent").getAsBoolean()).isTrue();
        assertThat(video.get("room").getAsString()).isEqualTo("room-1");
        assertThat(video.get("canPublish").getAsBoolean()).isTrue();
        assertThat(video.get("canSubscribeMetrics").getAsBoolean()).isFalse();

        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
        assertThat(outcome.workerId()).isEqualTo(handle.workerId());
        assertThat(outcome.participantIdentity()).isEqualTo("agent-" + job.getId());
        assertThat(outcome.token()).isEqualTo(assignment.getToken());
        assertThat(outcome.offeredTo()).containsExactly(handle.workerId());
        assertThat(handle.runningJobIds()).containsExactly(job.getId());
    }

    @Test
    void assignmentCarriesTheConfiguredUrl() throws Exception {
        try (LocalLiveKitServer withUrl = LocalLiveKitServer.create(ServerConfig.builder()
                .assignmentUrl("ws://rooms.example:7880").build()).start()) {
            TestWorker worker = TestWorker.registered(withUrl, "");
            withUrl.offerJob(JobSpec.forRoom("r"));
            Job job = worker.nextAvailability().getJob();
            worker.answer(accept(job, "id"));
            assertThat(worker.next().getAssignment().getUrl()).isEqualTo("ws://rooms.example:7880");
        }
    }

    @Test
    void jobStatusUpdatesAreTrackedAndEndedJobsForgotten() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        String jobId = assignOne(worker);

        worker.send(update("AJ_unknown", JobStatus.JS_RUNNING)); // ignored, never a violation
        worker.send(update(jobId, JobStatus.JS_RUNNING));
        await().atMost(WAIT).until(() -> server.jobUpdates(jobId).size() == 1);
        assertThat(handle.runningJob(jobId)).hasValueSatisfying(
                j -> assertThat(j.getState().getUpdatedAt()).isGreaterThanOrEqualTo(j.getState().getStartedAt()));

        worker.send(update(jobId, JobStatus.JS_SUCCESS));
        await().atMost(WAIT).until(() -> handle.runningJobIds().isEmpty());
        assertThat(server.jobUpdates(jobId)).extracting(UpdateJobStatus::getStatus)
                .containsExactly(JobStatus.JS_RUNNING, JobStatus.JS_SUCCESS);
        assertThat(handle.isOpen()).isTrue();
    }

    @Test
    void plainRejectFromTheOnlyWorkerIsRejectedAll() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        worker.answer(reject(worker.nextAvailability().getJob(), false));
        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.REJECTED_ALL);
        assertThat(outcome.detail()).isEqualTo("no workers with sufficient capacity");
    }

    @Test
    void plainRejectIsRetriedOnAnotherWorker() throws Exception {
        TestWorker a = TestWorker.registered(server, "");
        TestWorker b = TestWorker.registered(server, "");
        await().atMost(WAIT).until(() -> server.workers().size() == 2);

        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        TestWorker first = awaitOfferedWorker(a, b);
        TestWorker second = first == a ? b : a;
        first.answer(reject(first.nextAvailability().getJob(), false));
        Job job = second.nextAvailability().getJob();
        assertThat(job.getId()).isEqualTo(offer.jobId());
        second.answer(accept(job, "agent-x"));
        assertThat(second.next().hasAssignment()).isTrue();

        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
        assertThat(outcome.offeredTo()).hasSize(2).doesNotHaveDuplicates();
        assertThat(outcome.workerId()).isEqualTo(outcome.offeredTo().get(1));
    }

    @Test
    void terminateRejectEndsTheJobWithoutAskingAnyoneElse() throws Exception {
        TestWorker a = TestWorker.registered(server, "");
        TestWorker b = TestWorker.registered(server, "");
        await().atMost(WAIT).until(() -> server.workers().size() == 2);

        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        TestWorker first = awaitOfferedWorker(a, b);
        TestWorker other = first == a ? b : a;
        first.answer(reject(first.nextAvailability().getJob(), true));

        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.TERMINATED_BY_WORKER);
        assertThat(outcome.offeredTo()).hasSize(1);
        assertThat(outcome.job().getState().getStatus()).isEqualTo(JobStatus.JS_SUCCESS);
        assertNothingElseSent(other);
    }

    @Test
    void unansweredOfferTimesOutAndALateAnswerIsIgnored() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        long start = System.nanoTime();
        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        Job job = worker.nextAvailability().getJob();

        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(AVAILABILITY_TIMEOUT);
        assertThat(outcome.detail()).isEqualTo("agent worker availability timeout");

        worker.answer(accept(job, "late"));
        assertNothingElseSent(worker);
        assertThat(server.awaitWorker(WAIT).runningJobIds()).isEmpty();
    }

    @Test
    void workerClosingDuringTheOfferIsReplacedByAnother() throws Exception {
        TestWorker a = TestWorker.registered(server, "");
        TestWorker b = TestWorker.registered(server, "");
        await().atMost(WAIT).until(() -> server.workers().size() == 2);

        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        TestWorker first = awaitOfferedWorker(a, b);
        TestWorker second = first == a ? b : a;
        first.nextAvailability();
        first.closeConnection(1000, "bye");
        Job job = second.nextAvailability().getJob();
        second.answer(accept(job, "agent-2"));
        assertThat(offer.await(WAIT).kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
    }

    @Test
    void noWorkerWhenNobodyMatchesOrAllAreFullOrOverTheTargetLoad() throws Exception {
        assertThat(server.offerJob(JobSpec.forRoom("r")).await(WAIT).kind()).isEqualTo(OfferOutcome.Kind.NO_WORKER);

        TestWorker worker = TestWorker.registered(server, "agent-a");
        WorkerHandle handle = server.awaitWorker(WAIT);
        assertThat(server.offerJob(JobSpec.forRoom("r").withAgentName("agent-b")).await(WAIT).kind())
                .isEqualTo(OfferOutcome.Kind.NO_WORKER);
        assertThat(server.offerJob(JobSpec.forRoom("r").withAgentName("agent-a").withType(JobType.JT_PARTICIPANT))
                .await(WAIT).kind()).isEqualTo(OfferOutcome.Kind.NO_WORKER);

        worker.send(status(WorkerStatus.WS_AVAILABLE, 0.8f));
        await().atMost(WAIT).until(() -> handle.load() == 0.8f);
        OfferOutcome overTarget = server.offerJob(JobSpec.forRoom("r").withAgentName("agent-a")).await(WAIT);
        assertThat(overTarget.kind()).isEqualTo(OfferOutcome.Kind.NO_WORKER);
        assertThat(overTarget.detail()).isEqualTo("no servers available");

        worker.send(status(WorkerStatus.WS_FULL, 0.1f));
        await().atMost(WAIT).until(() -> handle.status() == WorkerStatus.WS_FULL);
        assertThat(server.offerJob(JobSpec.forRoom("r").withAgentName("agent-a")).await(WAIT).kind())
                .isEqualTo(OfferOutcome.Kind.NO_WORKER);
        assertNothingElseSent(worker);
    }

    @Test
    void fullyLoadedWorkerIsNeverChosen() throws Exception {
        TestWorker loaded = TestWorker.registered(server, "");
        String loadedId = server.awaitWorker(WAIT).workerId();
        loaded.send(status(WorkerStatus.WS_AVAILABLE, 1.0f));
        await().atMost(WAIT).until(() -> server.worker(loadedId).orElseThrow().load() == 1.0f);
        TestWorker idle = TestWorker.registered(server, "");
        await().atMost(WAIT).until(() -> server.workers().size() == 2);

        for (int i = 0; i < 5; i++) {
            JobOffer offer = server.offerJob(JobSpec.forRoom("r" + i));
            idle.answer(accept(idle.nextAvailability().getJob(), "agent-" + i));
            assertThat(idle.next().hasAssignment()).isTrue();
            assertThat(offer.await(WAIT).offeredTo()).doesNotContain(loadedId);
        }
        assertNothingElseSent(loaded);
    }

    @Test
    void terminateJobSendsJobTermination() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        String jobId = assignOne(worker);

        assertThat(server.terminateJob(jobId)).isTrue();
        ServerMessage msg = worker.next();
        assertThat(msg.hasTermination()).isTrue();
        assertThat(msg.getTermination().getJobId()).isEqualTo(jobId);
        assertThat(handle.runningJobIds()).isEmpty();
        assertThat(server.terminateJob(jobId)).as("already ended").isFalse();
        assertThat(server.terminateJob("AJ_unknown")).isFalse();
    }

    @Test
    void withheldAssignmentIsNeverSent() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        server.setWithholdAssignments(true);
        JobOffer offer = server.offerJob(JobSpec.forRoom("r"));
        worker.answer(accept(worker.nextAvailability().getJob(), "agent-w"));
        OfferOutcome outcome = offer.await(WAIT);
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.WITHHELD);
        assertThat(outcome.token()).isNotEmpty();
        assertNothingElseSent(worker);
        assertThat(handle.runningJobIds()).isEmpty();

        server.setWithholdAssignments(false);
        assertThat(assignOne(worker)).startsWith("AJ_");
    }

    @Test
    void simulateJobOffersAPublisherJobToTheAskingWorker() throws Exception {
        TestWorker worker = TestWorker.registered(server, "sim");
        worker.send(WorkerMessage.newBuilder().setSimulateJob(SimulateJobRequest.newBuilder()
                .setRoom(Room.newBuilder().setName("sim-room").setSid("RM_sim"))
                .setParticipant(ParticipantInfo.newBuilder().setIdentity("user-1"))).build());
        Job job = worker.nextAvailability().getJob();
        assertThat(job.getType()).isEqualTo(JobType.JT_PUBLISHER);
        assertThat(job.getRoom().getName()).isEqualTo("sim-room");
        assertThat(job.getParticipant().getIdentity()).isEqualTo("user-1");
        assertThat(job.getAgentName()).isEqualTo("sim");
        assertThat(job.getDispatchId()).isEmpty();
        worker.answer(accept(job, "agent-sim"));
        assertThat(worker.next().getAssignment().getJob().getId()).isEqualTo(job.getId());
    }

    @Test
    void migrateJobIsRecordedAndIgnored() throws Exception {
        TestWorker worker = TestWorker.registered(server, "");
        WorkerHandle handle = server.awaitWorker(WAIT);
        worker.send(WorkerMessage.newBuilder().setMigrateJob(MigrateJobRequest.newBuilder()
                .addJobIds("AJ_old1").addJobIds("AJ_old2")).build());
        await().atMost(WAIT).until(() -> handle.migratedJobIds().size() == 2);
        assertThat(handle.migratedJobIds()).containsExactly("AJ_old1", "AJ_old2");
        assertNothingElseSent(worker);
    }

    @Test
    void listenersHearRegistrationsOutcomesAndDisconnects() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        server.addListener(new ServerListener() {
            @Override
            public void onWorkerRegistered(WorkerHandle worker) {
                events.add("registered");
            }

            @Override
            public void onJobOutcome(OfferOutcome outcome) {
                events.add(outcome.kind().name());
            }

            @Override
            public void onWorkerDisconnected(WorkerHandle worker) {
                events.add("disconnected");
            }
        });
        TestWorker worker = TestWorker.registered(server, "");
        // the listener runs on the connection thread just after the response went out
        await().atMost(WAIT).until(() -> events.contains("registered"));
        assignOne(worker);
        worker.closeBlocking();
        await().atMost(WAIT).until(() -> events.contains("disconnected"));
        assertThat(events).containsExactly("registered", "ASSIGNED", "disconnected");
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** Offers a job to the (only) worker and has it accepted; returns the job id. */
    private String assignOne(TestWorker worker) {
        JobOffer offer = server.offerJob(JobSpec.forRoom("room-" + System.nanoTime()));
        Job job = worker.nextAvailability().getJob();
        worker.answer(accept(job, "agent-" + job.getId()));
        assertThat(worker.next().hasAssignment()).isTrue();
        assertThat(offer.await(WAIT).kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
        return offer.jobId();
    }

    /** Which of two workers got the AvailabilityRequest (the choice is random by design). */
    private static TestWorker awaitOfferedWorker(TestWorker a, TestWorker b) {
        await().atMost(WAIT).until(() -> a.hasPendingMessages() || b.hasPendingMessages());
        return a.hasPendingMessages() ? a : b;
    }

    /** After everything above, a ping's pong must be the very next message: nothing else was sent. */
    private static void assertNothingElseSent(TestWorker worker) {
        worker.send(WorkerMessage.newBuilder().setPing(WorkerPing.newBuilder().setTimestamp(42)).build());
        ServerMessage next = worker.next();
        assertThat(next.hasPong()).as("nothing but the pong, got %s", next).isTrue();
    }

    private static AvailabilityResponse accept(Job job, String identity) {
        return AvailabilityResponse.newBuilder()
                .setJobId(job.getId()).setAvailable(true)
                .setParticipantIdentity(identity).setParticipantName("Agent")
                .putParticipantAttributes("lk.agent.name", job.getAgentName())
                .build();
    }

    private static AvailabilityResponse reject(Job job, boolean terminate) {
        return AvailabilityResponse.newBuilder().setJobId(job.getId()).setAvailable(false).setTerminate(terminate).build();
    }

    private static WorkerMessage update(String jobId, JobStatus status) {
        return WorkerMessage.newBuilder().setUpdateJob(UpdateJobStatus.newBuilder().setJobId(jobId).setStatus(status)).build();
    }

    private static WorkerMessage status(WorkerStatus status, float load) {
        return WorkerMessage.newBuilder().setUpdateWorker(UpdateWorkerStatus.newBuilder().setStatus(status).setLoad(load)).build();
    }
}
