package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.AcceptOptions;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobRequest;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobOffer;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.localserver.agent.WorkerHandle;
import io.lkworker.localserver.http.Close;
import io.lkworker.loop.Clock;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.TestConfigs;
import io.lkworker.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import livekit.LivekitAgent;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.WorkerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real daemon (thread executor) against the LiveKit-protocol server on a loopback WebSocket.
 */
class DaemonTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private LocalLiveKitServer server;
    private Daemon daemon;
    /** Per-test hooks of the test agent, keyed by what the job's metadata asks for. */
    private final Map<String, CountDownLatch> releases = new ConcurrentHashMap<>();
    private final Map<String, String> entered = new ConcurrentHashMap<>();
    /** onRequest of "hold-request-*" offers: counted down on entry, then waits for its gate. */
    private final CountDownLatch requestEntered = new CountDownLatch(1);
    private final CountDownLatch requestGate = new CountDownLatch(1);
    private final CountDownLatch requestDecided = new CountDownLatch(1);
    private volatile boolean stopHanging;

    @BeforeEach
    void startServer() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3))
                .build()).start();
    }

    @AfterEach
    void stopAll() {
        if (daemon != null) {
            daemon.close();
        }
        server.close();
    }

    /** Accepts unless the metadata says otherwise; the entrypoint does what the metadata says. */
    private final class ScriptedAgent implements Agent {
        @Override
        public void onRequest(JobRequest request) {
            String m = request.job().metadata();
            if (m.startsWith("hold-request")) {
                requestEntered.countDown();
                try {
                    requestGate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (m.endsWith("then-yes")) {
                    request.accept();
                } else {
                    request.reject();
                }
                requestDecided.countDown();
            } else if (m.contains("reject-terminate")) {
                request.rejectAndTerminate();
            } else if (m.contains("reject")) {
                request.reject();
            } else if (m.contains("throw-on-request")) {
                throw new IllegalStateException("request handler bug");
            } else if (m.contains("slow-request")) {
                sleepUninterruptibly(5_000);
                request.accept();
            } else if (m.contains("undecided")) {
                return;
            } else if (m.contains("hang-request")) {
                while (!stopHanging) {
                    sleepUninterruptibly(50); // ignores the interrupt at its deadline
                }

            } else {
                request.accept(AcceptOptions.defaults().withName("bot").withAttribute("team", "blue"));
            }
        }

        @Override
        public void entrypoint(JobContext ctx) throws Exception {
            String m = ctx.job().metadata();
            entered.put(ctx.job().id(), ctx.participantIdentity());
            if (m.contains("fail")) {
                throw new IllegalArgumentException("the model is not loaded");
            }
            if (m.contains("wait-release")) {
                CountDownLatch latch = releases.computeIfAbsent(m, k -> new CountDownLatch(1));
                while (!latch.await(50, TimeUnit.MILLISECONDS)) {
                    if (ctx.isShuttingDown()) {
                        return;
                    }
                }
            }
            if (m.contains("until-shutdown")) {
                ctx.awaitShutdown();
            }
        }
    }

    private static void sleepUninterruptibly(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try {
                Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Daemon startDaemon(UnaryOperator<TestConfigs.Builder> tweak) throws Exception {
        return startDaemon(tweak, LoadMonitor.fixed(0.1));
    }

    private Daemon startDaemon(UnaryOperator<TestConfigs.Builder> tweak, LoadMonitor load) throws Exception {
        WorkerConfig config = TestConfigs.config(server.url(), tweak);
        daemon = new Daemon(config, new LoadedAgent(new ScriptedAgent(), "ScriptedAgent",
                getClass().getClassLoader(), null), DefaultExecutors.defaultFactory(), load, Clock.system());
        daemon.start();
        return daemon;
    }

    private WorkerHandle registeredWorker() {
        return server.awaitWorker(WAIT);
    }

    private LivekitAgent.UpdateJobStatus awaitJobStatus(String jobId, JobStatus status) {
        return server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == status, WAIT).message().getUpdateJob();
    }

    /** What the worker answered to the availability request of {@code jobId}. */
    private LivekitAgent.AvailabilityResponse answerTo(String jobId) {
        return server.awaitMessage(m -> m.hasAvailability() && m.getAvailability().getJobId().equals(jobId), WAIT)
                .message().getAvailability();
    }

    private OfferOutcome offer(String metadata) {
        return server.offerJob(JobSpec.forRoom("room-" + metadata).withAgentName("test-agent")
                .withMetadata(metadata)).await(WAIT);
    }

    @Test
    void registersWithTypeAgentNameVersionPermissionsAndDeployment() throws Exception {
        startDaemon(b -> {
            b.deployment = "staging";
            return b;
        });
        WorkerHandle worker = registeredWorker();
        LivekitAgent.RegisterWorkerRequest register = worker.registration();
        assertThat(worker.workerId()).startsWith("AW_");
        assertThat(register.getType()).isEqualTo(LivekitAgent.JobType.JT_ROOM);
        assertThat(register.getAgentName()).isEqualTo("test-agent");
        assertThat(register.getVersion()).isNotBlank();
        assertThat(register.getAllowedPermissions().getAgent()).isTrue();
        assertThat(register.getAllowedPermissions().getCanPublish()).isTrue();
        assertThat(worker.deployment()).isEqualTo("staging");
        // The first status report follows registration at once: available, load clamped, no jobs.
        WorkerMessage status = server.awaitMessage(WorkerMessage::hasUpdateWorker, WAIT).message();
        assertThat(status.getUpdateWorker().hasStatus()).isTrue();
        assertThat(status.getUpdateWorker().getStatus()).isEqualTo(LivekitAgent.WorkerStatus.WS_AVAILABLE);
        assertThat(status.getUpdateWorker().getLoad()).isEqualTo(0.1f);
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("registered"));
        assertThat(daemon.snapshot().workerId()).isEqualTo(worker.workerId());
    }

    @Test
    void acceptedJobIsAssignedRunsAndReportsRunningThenSuccess() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome outcome = offer("ok");
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
        assertThat(outcome.participantIdentity()).isEqualTo("agent-" + outcome.jobId());
        LivekitAgent.AvailabilityResponse answer = outcome.response();
        assertThat(answer.getParticipantName()).isEqualTo("bot");
        assertThat(answer.getParticipantAttributesMap())
                .containsEntry("lk.agent.name", "test-agent").containsEntry("team", "blue");
        awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);
        LivekitAgent.UpdateJobStatus done = awaitJobStatus(outcome.jobId(), JobStatus.JS_SUCCESS);
        assertThat(done.getError()).isEmpty();
        assertThat(entered).containsEntry(outcome.jobId(), "agent-" + outcome.jobId());
        List<JobStatus> order = server.jobUpdates(outcome.jobId()).stream()
                .map(LivekitAgent.UpdateJobStatus::getStatus).toList();
        assertThat(order).containsExactly(JobStatus.JS_RUNNING, JobStatus.JS_SUCCESS);
    }

    @Test
    void plainRejectLetsTheServerTryElsewhereAndTerminateRejectEndsTheJob() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome plain = offer("reject");
        assertThat(plain.kind()).isEqualTo(OfferOutcome.Kind.REJECTED_ALL);
        assertThat(answerTo(plain.jobId()).getTerminate()).isFalse();
        OfferOutcome terminate = offer("reject-terminate");
        assertThat(terminate.kind()).isEqualTo(OfferOutcome.Kind.TERMINATED_BY_WORKER);
        assertThat(terminate.response().getTerminate()).isTrue();
        assertThat(entered).isEmpty();
    }

    @Test
    void onRequestThatThrowsOrReturnsUndecidedIsDeclinedPlainly() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        for (String metadata : List.of("throw-on-request", "undecided")) {
            OfferOutcome outcome = offer(metadata);
            assertThat(outcome.kind()).as(metadata).isEqualTo(OfferOutcome.Kind.REJECTED_ALL);
            assertThat(answerTo(outcome.jobId()).getTerminate()).isFalse();
        }
        assertThat(entered).isEmpty();
    }

    @Test
    void onRequestTooSlowIsDeclinedBeforeTheServerGivesUp() throws Exception {
        startDaemon(b -> {
            b.requestTimeout = Duration.ofMillis(300);
            return b;
        });
        registeredWorker();
        // The server waits 3 s; the worker must answer (decline) on its own 300 ms deadline.
        OfferOutcome outcome = offer("slow-request");
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.REJECTED_ALL);
        assertThat(answerTo(outcome.jobId()).getAvailable()).isFalse();
    }

    @Test
    void hungOnRequestHandlersHoldABoundedNumberOfThreads() throws Exception {
        startDaemon(b -> {
            b.requestTimeout = Duration.ofMillis(200);
            return b;
        });
        String workerId = registeredWorker().workerId();
        try {
            List<JobOffer> offers = new java.util.ArrayList<>();
            for (int i = 0; i < Daemon.MAX_REQUEST_THREADS + 10; i++) {
                offers.add(server.offerJob(JobSpec.forRoom("hang-" + i).withAgentName("test-agent")
                        .withMetadata("hang-request").onlyTo(workerId)));
            }
            assertThat(offers.stream().map(o -> o.await(WAIT)).filter(OfferOutcome::assigned)).isEmpty();
            long requestThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("lk-request-") && t.isAlive()).count();
            assertThat(requestThreads).isLessThanOrEqualTo(Daemon.MAX_REQUEST_THREADS);
        } finally {
            stopHanging = true;
        }
    }

    @Test
    void assignmentThatNeverComesIsNotLaunchedAndFreesItsSlot() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        server.setWithholdAssignments(true);
        OfferOutcome outcome = offer("ok");
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.WITHHELD);
        assertThat(daemon.query(Worker::reservedSlots)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(12)).until(() -> daemon.query(Worker::reservedSlots) == 0);
        assertThat(entered).isEmpty();
        assertThat(server.jobUpdates(outcome.jobId())).isEmpty();
    }

    @Test
    void assignmentForAnUnknownJobIsIgnored() throws Exception {
        startDaemon(b -> b);
        WorkerHandle worker = registeredWorker();
        // A termination for a job the worker never had: it stays connected and keeps working.
        assertThat(server.terminateJob("AJ_unknown")).isFalse();
        OfferOutcome outcome = offer("ok");
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.ASSIGNED);
        assertThat(worker.isOpen()).isTrue();
    }

    @Test
    void terminationShutsTheJobDownGracefully() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome outcome = offer("until-shutdown");
        awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);
        assertThat(server.terminateJob(outcome.jobId())).isTrue();
        awaitJobStatus(outcome.jobId(), JobStatus.JS_SUCCESS);
        await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 0);
    }

    @Test
    void entrypointExceptionFailsTheJobWithTheExceptionText() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome outcome = offer("fail");
        LivekitAgent.UpdateJobStatus failed = awaitJobStatus(outcome.jobId(), JobStatus.JS_FAILED);
        assertThat(failed.getError()).isEqualTo("java.lang.IllegalArgumentException: the model is not loaded");
    }

    @Test
    void abruptServerCloseMidJobReconnectsMigratesAndDeliversTheFinalStatus() throws Exception {
        // Enough retries that a slow machine cannot exhaust them while upgrades are refused.
        startDaemon(b -> {
            b.maxRetry = 10;
            return b;
        });
        WorkerHandle first = registeredWorker();
        OfferOutcome outcome = offer("wait-release-1");
        awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);

        // Refuse reconnects for a while so the job ends while the worker is disconnected.
        server.refuseUpgrades(503, "maintenance");
        assertThat(server.closeWorker(first.workerId(), Close.ABRUPT)).isTrue();
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("reconnecting"));
        await().atMost(WAIT).until(() -> server.connectionAttempts().stream().anyMatch(a -> a.status() == 503));
        releases.computeIfAbsent("wait-release-1", k -> new CountDownLatch(1)).countDown();
        await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 0);
        server.acceptUpgrades();

        WorkerHandle second = server.awaitWorker(w -> !w.workerId().equals(first.workerId()), Duration.ofSeconds(15));
        assertThat(second.workerId()).isNotEqualTo(first.workerId());
        // The status the job produced while disconnected is delivered on the new connection.
        var done = server.awaitReceived(r -> r.workerId().equals(second.workerId()) && r.message().hasUpdateJob()
                && r.message().getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);
        assertThat(done.message().getUpdateJob().getJobId()).isEqualTo(outcome.jobId());
        assertThat(entered).containsKey(outcome.jobId());
    }

    @Test
    void aFinalStatusSwallowedByAHalfOpenConnectionIsSentAgainOnTheNextOne() throws Exception {
        try (io.lkworker.testing.FreezableProxy proxy = new io.lkworker.testing.FreezableProxy(
                new java.net.InetSocketAddress("127.0.0.1", server.port()))) {
            WorkerConfig config = TestConfigs.config("ws://127.0.0.1:" + proxy.port(), b -> b);
            daemon = new Daemon(config, new LoadedAgent(new ScriptedAgent(), "ScriptedAgent",
                    getClass().getClassLoader(), null), DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1),
                    Clock.system());
            daemon.start();
            WorkerHandle first = registeredWorker();
            OfferOutcome outcome = offer("wait-release-halfopen");
            awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);

            // The connection goes half-open: both ends still think it is up, nothing gets through.
            proxy.freezeAll();
            releases.computeIfAbsent("wait-release-halfopen", k -> new CountDownLatch(1)).countDown();
            await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 0);
            assertThat(server.jobUpdates(outcome.jobId()).stream().map(LivekitAgent.UpdateJobStatus::getStatus))
                    .doesNotContain(JobStatus.JS_SUCCESS);

            // The worker notices the silence, replaces the connection and sends the status again.
            WorkerHandle second = server.awaitWorker(w -> !w.workerId().equals(first.workerId()),
                    Duration.ofSeconds(45));
            var done = server.awaitReceived(r -> r.workerId().equals(second.workerId())
                    && r.message().hasUpdateJob() && r.message().getUpdateJob().getJobId().equals(outcome.jobId())
                    && r.message().getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);
            assertThat(done.message().getUpdateJob().getError()).isEmpty();
        }
    }

    @Test
    void anAvailabilityAnswerIsNotReplayedPastTheServersWindow() throws Exception {
        startDaemon(b -> {
            b.requestTimeout = Duration.ofSeconds(60);
            b.maxRetry = 20;
            return b;
        });
        WorkerHandle first = registeredWorker();
        var held = server.offerJob(JobSpec.forRoom("room-late").withAgentName("test-agent")
                .withMetadata("hold-request-then-no"));
        assertThat(requestEntered.await(10, TimeUnit.SECONDS)).isTrue();
        server.refuseUpgrades(503, "maintenance");
        server.closeWorker(first.workerId(), Close.ABRUPT);
        await().atMost(WAIT).until(() -> server.connectionAttempts().stream().anyMatch(a -> a.status() == 503));
        // Decided while disconnected: the answer waits in the outbox...
        requestGate.countDown();
        assertThat(requestDecided.await(10, TimeUnit.SECONDS)).isTrue();
        // ...while reconnecting backs off 0, 2, 4, 6, 8 s: five refusals take 20 s, past the 10 s window.
        await().atMost(Duration.ofSeconds(40)).until(() ->
                server.connectionAttempts().stream().filter(a -> a.status() == 503).count() >= 5);
        server.acceptUpgrades();
        WorkerHandle second = server.awaitWorker(w -> !w.workerId().equals(first.workerId()), Duration.ofSeconds(30));
        // Something sent after the reconnect proves the outbox was flushed before it.
        server.awaitReceived(r -> r.workerId().equals(second.workerId()) && r.message().hasUpdateWorker(), WAIT);
        assertThat(server.messages().stream().filter(r -> r.message().hasAvailability()
                && r.message().getAvailability().getJobId().equals(held.jobId()))).isEmpty();
    }

    @Test
    void reconnectReportsRunningJobsWithMigrateJobRequest() throws Exception {
        startDaemon(b -> b);
        WorkerHandle first = registeredWorker();
        OfferOutcome outcome = offer("wait-release-2");
        awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);
        server.closeWorker(first.workerId(), Close.ABRUPT);
        WorkerHandle second = server.awaitWorker(w -> !w.workerId().equals(first.workerId()), WAIT);
        await().atMost(WAIT).until(() -> second.migratedJobIds().contains(outcome.jobId()));
        // The job was untouched by the reconnect: it is still running, then ends normally.
        assertThat(server.jobUpdates(outcome.jobId()).stream().map(LivekitAgent.UpdateJobStatus::getStatus))
                .doesNotContain(JobStatus.JS_SUCCESS, JobStatus.JS_FAILED);
        releases.get("wait-release-2").countDown();
        awaitJobStatus(outcome.jobId(), JobStatus.JS_SUCCESS);
    }

    @Test
    void badSecretGivesUpWithTheServersReason() throws Exception {
        startDaemon(b -> {
            b.apiSecret = "wrong-secret";
            b.maxRetry = 0;
            return b;
        });
        int code = daemon.exitCode().get(15, TimeUnit.SECONDS);
        assertThat(code).isEqualTo(Worker.EXIT_FAILURE);
        String reason = daemon.query(Worker::exitReason);
        assertThat(reason).contains("401").contains("signature is invalid");
        assertThat(daemon.snapshot().healthy()).isFalse();
    }

    @Test
    void rejectedCredentialsFailAtOnceInsteadOfBeingRetried() throws Exception {
        startDaemon(b -> {
            b.apiSecret = "wrong-secret";
            b.maxRetry = 16; // the default: a 401 must not use them
            return b;
        });
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_FAILURE);
        assertThat(daemon.query(Worker::exitReason)).contains("after 1 attempt:").contains("HTTP 401")
                .contains("signature is invalid");
        // One refused upgrade, and the plain GET that fetched the server's reason: no retry.
        assertThat(server.connectionAttempts().stream().filter(a -> a.status() == 401)).hasSize(2);
    }

    @Test
    void aPoolThatCannotStartFailsTheDaemonWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path notADirectory = java.nio.file.Files.createFile(tmp.resolve("file"));
        startDaemon(b -> {
            b.executor = WorkerConfig.ExecutorKind.PROCESS;
            b.runDir = notADirectory.resolve("run");
            return b;
        });
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_FAILURE);
        assertThat(daemon.query(Worker::exitReason)).startsWith("cannot start the job executor")
                .contains(notADirectory.toString());
        assertThat(daemon.snapshot().healthy()).isFalse();
        assertThat(daemon.snapshot().state()).isEqualTo("failed");
    }

    @Test
    void retriesExhaustedExitsNonZeroSayingWhy() throws Exception {
        int closedPort;
        try (var probe = new java.net.ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        WorkerConfig config = TestConfigs.config("ws://127.0.0.1:" + closedPort, b -> {
            b.maxRetry = 1;
            return b;
        });
        daemon = new Daemon(config, new LoadedAgent(new ScriptedAgent(), "ScriptedAgent", getClass().getClassLoader(),
                null), DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0), Clock.system());
        daemon.start();
        assertThat(daemon.exitCode().get(20, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_FAILURE);
        assertThat(daemon.query(Worker::exitReason)).contains("after 2 attempts").contains("connection refused");
    }

    @Test
    void drainReportsFullAtOnceDeclinesNewJobsLetsRunningJobsFinishAndExitsZero() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome a = offer("wait-release-a");
        OfferOutcome b = offer("wait-release-b");
        awaitJobStatus(a.jobId(), JobStatus.JS_RUNNING);
        awaitJobStatus(b.jobId(), JobStatus.JS_RUNNING);
        int before = server.messages().size();

        daemon.signal("SIGTERM");
        var full = server.awaitReceived(r -> r.message().hasUpdateWorker()
                && r.message().getUpdateWorker().getStatus() == LivekitAgent.WorkerStatus.WS_FULL, WAIT);
        assertThat(server.messages().indexOf(full)).isGreaterThanOrEqualTo(before);
        assertThat(full.message().getUpdateWorker().getJobCount()).isEqualTo(2);
        assertThat(daemon.snapshot().state()).isEqualTo("draining");

        // A job offered during the drain is declined (the fake offers to WS_FULL workers only via onlyTo).
        String workerId = registeredWorker().workerId();
        OfferOutcome late = server.offerJob(JobSpec.forRoom("late").withAgentName("test-agent").onlyTo(workerId))
                .await(WAIT);
        assertThat(late.assigned()).isFalse();

        assertThat(daemon.exitCode()).isNotDone();
        releases.get("wait-release-a").countDown();
        awaitJobStatus(a.jobId(), JobStatus.JS_SUCCESS);
        assertThat(daemon.exitCode()).isNotDone();
        releases.get("wait-release-b").countDown();
        awaitJobStatus(b.jobId(), JobStatus.JS_SUCCESS);
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_OK);
    }

    @Test
    void secondSignalStopsRunningJobsAndExitsAtOnce() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        OfferOutcome a = offer("until-shutdown");
        awaitJobStatus(a.jobId(), JobStatus.JS_RUNNING);
        daemon.signal("SIGTERM");
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("draining"));
        assertThat(daemon.exitCode()).isNotDone();
        daemon.signal("SIGINT");
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_FORCED);
        // The job was stopped, not finished: reported failed, with why, before the socket closed.
        assertThat(awaitJobStatus(a.jobId(), JobStatus.JS_FAILED).getError()).isEqualTo(Worker.FORCED_STOP_REASON);
        assertThat(server.jobUpdates(a.jobId()).stream().map(LivekitAgent.UpdateJobStatus::getStatus))
                .doesNotContain(JobStatus.JS_SUCCESS);
    }

    @Test
    void drainEndsAtOnceWhenTheOnlyThingLeftIsAnOfferBeingDecided() throws Exception {
        // Drain timeout 0 (for ever); a request deadline far away: only the drain itself can end this.
        startDaemon(b -> {
            b.requestTimeout = Duration.ofSeconds(60);
            return b;
        });
        registeredWorker();
        var offer = server.offerJob(JobSpec.forRoom("room-hold").withAgentName("test-agent")
                .withMetadata("hold-request-then-no"));
        assertThat(requestEntered.await(10, TimeUnit.SECONDS)).isTrue();
        daemon.signal("SIGTERM");
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_OK);
        // The undecided offer was declined plainly, so the server could try another worker.
        LivekitAgent.AvailabilityResponse answer = answerTo(offer.jobId());
        assertThat(answer.getAvailable()).isFalse();
        assertThat(answer.getTerminate()).isFalse();
        requestGate.countDown();
    }

    @Test
    void anAcceptThatLandsDuringTheDrainNeverLeavesTheWorker() throws Exception {
        startDaemon(b -> {
            b.requestTimeout = Duration.ofSeconds(60);
            return b;
        });
        registeredWorker();
        OfferOutcome running = offer("wait-release-drain");
        awaitJobStatus(running.jobId(), JobStatus.JS_RUNNING);
        var held = server.offerJob(JobSpec.forRoom("room-held").withAgentName("test-agent")
                .withMetadata("hold-request-then-yes"));
        assertThat(requestEntered.await(10, TimeUnit.SECONDS)).isTrue();
        daemon.signal("SIGTERM");
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("draining"));
        // The agent accepts now, mid-drain; the loop handles its decision before this query.
        requestGate.countDown();
        assertThat(requestDecided.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.query(Worker::reservedSlots)).isZero();
        // One answer went out for the held offer, and it was a plain decline.
        answerTo(held.jobId());
        assertThat(server.messages().stream().filter(r -> r.message().hasAvailability()
                && r.message().getAvailability().getJobId().equals(held.jobId()))
                .map(r -> r.message().getAvailability().getAvailable())).containsExactly(false);
        assertThat(daemon.exitCode()).isNotDone();
        releases.computeIfAbsent("wait-release-drain", k -> new CountDownLatch(1)).countDown();
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_OK);
        assertThat(entered).doesNotContainKey(held.jobId());
    }

    @Test
    void drainEndsWhenAnAcceptedJobsAssignmentNeverArrives() throws Exception {
        startDaemon(b -> b);
        registeredWorker();
        server.setWithholdAssignments(true);
        OfferOutcome outcome = offer("ok");
        assertThat(outcome.kind()).isEqualTo(OfferOutcome.Kind.WITHHELD);
        daemon.signal("SIGTERM");
        // The drain waits for the assignment (the server may send it) until its 7.5 s timeout, then ends.
        assertThat(daemon.exitCode().get(20, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_OK);
        assertThat(entered).isEmpty();
    }

    @Test
    void aWorkerAtMaxJobsNeverAnnouncesItselfAvailableWhileTheJobStarts() throws Exception {
        startDaemon(b -> {
            b.maxJobs = 1;
            return b;
        });
        registeredWorker();
        OfferOutcome outcome = offer("until-shutdown");
        awaitJobStatus(outcome.jobId(), JobStatus.JS_RUNNING);
        // Everything sent between the accept and JS_RUNNING (in order, on one connection) says full.
        List<WorkerMessage> all = server.messages().stream().map(r -> r.message()).toList();
        int accepted = -1;
        int running = -1;
        for (int i = 0; i < all.size(); i++) {
            WorkerMessage m = all.get(i);
            if (m.hasAvailability() && m.getAvailability().getJobId().equals(outcome.jobId())) {
                accepted = i;
            } else if (m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(outcome.jobId())
                    && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING) {
                running = i;
            }
        }
        assertThat(accepted).isNotNegative();
        assertThat(all.subList(accepted, running).stream().filter(WorkerMessage::hasUpdateWorker)
                .map(m -> m.getUpdateWorker().getStatus())).doesNotContain(LivekitAgent.WorkerStatus.WS_AVAILABLE);
    }

    @Test
    void drainTimeoutStopsRemainingJobsAndSaysSoInTheExitCode() throws Exception {
        startDaemon(b -> {
            b.drainTimeout = Duration.ofMillis(500);
            return b;
        });
        registeredWorker();
        OfferOutcome a = offer("until-shutdown");
        awaitJobStatus(a.jobId(), JobStatus.JS_RUNNING);
        daemon.signal("SIGTERM");
        assertThat(daemon.exitCode().get(10, TimeUnit.SECONDS)).isEqualTo(Worker.EXIT_DRAIN_TIMED_OUT);
        awaitJobStatus(a.jobId(), JobStatus.JS_SUCCESS);
    }

    /** Offers {@code n} jobs at the same moment and returns how many were assigned. */
    private long offerConcurrently(int n, String metadata) {
        String workerId = registeredWorker().workerId();
        List<JobOffer> offers = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            offers.add(server.offerJob(JobSpec.forRoom("race-" + i).withAgentName("test-agent")
                    .withMetadata(metadata).onlyTo(workerId)));
        }
        return offers.stream().map(o -> o.await(WAIT)).filter(OfferOutcome::assigned).count();
    }

    @Test
    void requestsInsideOneLoadWindowCannotOvershootTheThreshold() throws Exception {
        // Load 0.2 with one job running: a job costs 0.2 (thread executor: the load over the running
        // jobs). Reservations are charged that: 0.2, 0.4, 0.6 pass and the fourth (0.8) must be declined
        // even though the sampled load never changed.
        startDaemon(b -> {
            b.loadThreshold = 0.7;
            b.idle = 4;
            return b;
        }, LoadMonitor.fixed(0.2));
        assertThat(offerConcurrently(1, "until-shutdown")).isEqualTo(1);
        // once the first job is in the sampled load (one load window after its launch)
        await().atMost(WAIT).until(() -> daemon.snapshot().availability().contains("+ 0 × 0.20 per job"));
        assertThat(offerConcurrently(4, "until-shutdown")).isEqualTo(3);
        await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 4);
    }

    @Test
    void aJobThatJustStartedIsChargedUntilTheLoadCanShowIt() throws Exception {
        // The load (fixed at 0.2, a job's measured cost 0.2) is a 2.5 s average: a job launched a
        // moment ago is not in it yet and is charged like a reservation. Two offers right after the
        // first job started: 0.2 + 0.2 (new job) = 0.4 takes one, 0.2 + 0.2 + 0.2 (reserved) = 0.6
        // declines the other. Judged on the sampled load alone both would fit (0.2, then 0.4 < 0.45).
        startDaemon(b -> {
            b.loadThreshold = 0.45;
            b.idle = 3;
            return b;
        }, LoadMonitor.fixed(0.2));
        assertThat(offerConcurrently(1, "until-shutdown")).isEqualTo(1);
        await().atMost(WAIT).until(() -> daemon.snapshot().availability().contains("× 0.20 per job")
                && daemon.snapshot().availability().contains("not in the load yet"));
        assertThat(offerConcurrently(2, "until-shutdown")).isEqualTo(1);
    }

    @Test
    void concurrentOffersToAWorkerWithFreeSlotsAreAllTakenBeforeAnyJobWasMeasured() throws Exception {
        // Before: each reservation was charged threshold / idle (0.175), so at load 0.5 the third of
        // three concurrent offers was declined by a worker that had free slots.
        startDaemon(b -> {
            b.loadThreshold = 0.7;
            b.idle = 4;
            return b;
        }, LoadMonitor.fixed(0.5));
        assertThat(offerConcurrently(3, "until-shutdown")).isEqualTo(3);
        await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 3);
        assertThat(daemon.snapshot().available()).isTrue();
    }

    @Test
    void maxJobsCapsConcurrentJobsDeterministically() throws Exception {
        startDaemon(b -> {
            b.maxJobs = 2;
            return b;
        });
        assertThat(offerConcurrently(4, "until-shutdown")).isEqualTo(2);
        await().atMost(WAIT).until(() -> daemon.snapshot().jobCount() == 2);
        // Full: the status says so, and a further offer is declined until a job ends.
        server.awaitMessage(m -> m.hasUpdateWorker()
                && m.getUpdateWorker().getStatus() == LivekitAgent.WorkerStatus.WS_FULL
                && m.getUpdateWorker().getJobCount() == 2, WAIT);
        assertThat(offerConcurrently(1, "ok")).isZero();
        assertThat(daemon.snapshot().available()).isFalse();
        assertThat(daemon.snapshot().availability()).contains("2 running + 0 reserved jobs of --max-jobs 2");
        String running = daemon.snapshot().jobs().get(0).id();
        server.terminateJob(running);
        awaitJobStatus(running, JobStatus.JS_SUCCESS);
        await().atMost(WAIT).until(() -> offerConcurrently(1, "ok") == 1);
    }

    @Test
    void metricsEndpointCountsJobsAndHealthFollowsTheWorker() throws Exception {
        startDaemon(b -> {
            b.healthPort = 0;
            return b;
        });
        registeredWorker();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI base = java.net.URI.create("http://127.0.0.1:" + daemon.healthPort());
        await().atMost(WAIT).until(() -> com.google.gson.JsonParser.parseString(get(http, base.resolve("/worker")))
                .getAsJsonObject().get("state").getAsString().equals("registered"));
        OfferOutcome ok = offer("ok");
        awaitJobStatus(ok.jobId(), JobStatus.JS_SUCCESS);
        OfferOutcome failed = offer("fail");
        awaitJobStatus(failed.jobId(), JobStatus.JS_FAILED);
        String metrics = get(http, base.resolve("/metrics"));
        assertThat(metrics).contains("lkworker_jobs_total{outcome=\"success\"} 1.0")
                .contains("lkworker_jobs_total{outcome=\"failed\"} 1.0")
                .contains("lkworker_availability_answer_seconds_count{answer=\"accepted\"} 2")
                .contains("lkworker_connected 1.0");
        assertThat(get(http, base.resolve("/"))).isEqualTo("OK");
        assertThat(get(http, base.resolve("/ready"))).isEqualTo("ready");

        // a drain: still alive (the liveness probe must not kill calls), no longer ready
        OfferOutcome staying = offer("until-shutdown");
        awaitJobStatus(staying.jobId(), JobStatus.JS_RUNNING);
        daemon.signal("SIGTERM");
        await().atMost(WAIT).until(() -> get(http, base.resolve("/ready")).equals("not ready: draining"));
        assertThat(get(http, base.resolve("/"))).isEqualTo("OK");
    }

    private static String get(java.net.http.HttpClient http, java.net.URI uri) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }
}
