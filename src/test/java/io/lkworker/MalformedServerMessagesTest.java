package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.load.LoadMonitor;
import io.lkworker.loop.Clock;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.ScriptedAgentServer;
import io.lkworker.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitAgent;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frames the real server never sends, from a server that is not ours: the daemon (thread executor)
 * logs and counts them and never acts on them.
 */
class MalformedServerMessagesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ScriptedAgentServer server;
    private Daemon daemon;
    private final Set<String> entered = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Accepts everything; each job runs until it is terminated. */
    private final class WaitingAgent implements Agent {
        @Override
        public void entrypoint(JobContext ctx) throws Exception {
            entered.add(ctx.job().id());
            ctx.awaitShutdown();
        }
    }

    private static LivekitAgent.Job job(String id) {
        return LivekitAgent.Job.newBuilder().setId(id).setType(LivekitAgent.JobType.JT_ROOM)
                .setRoom(LivekitModels.Room.newBuilder().setName("room-" + id).setSid("RM_" + id)).build();
    }

    private static ServerMessage offer(LivekitAgent.AvailabilityRequest.Builder request) {
        return ServerMessage.newBuilder().setAvailability(request).build();
    }

    private static ServerMessage assignment(LivekitAgent.JobAssignment.Builder assignment) {
        return ServerMessage.newBuilder().setAssignment(assignment).build();
    }

    private long answersFor(String jobId) {
        return server.received().stream().filter(m -> m.hasAvailability()
                && m.getAvailability().getJobId().equals(jobId)).count();
    }

    @Test
    void anOversizedServerMessageClosesTheConnectionInsteadOfBeingBuffered() throws Exception {
        server = ScriptedAgentServer.start(WAIT);
        daemon = new Daemon(TestConfigs.config(server.url(), b -> b),
                new LoadedAgent(new WaitingAgent(), "WaitingAgent", getClass().getClassLoader(), null),
                DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.await(WorkerMessage::hasRegister, WAIT);
        LivekitAgent.Job huge = job("AJ_huge").toBuilder().setMetadata("m".repeat(12 * 1024 * 1024)).build();
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder().setJob(huge)));
        // Refused unread: the connection is dropped (and replaced), the offer never answered.
        await().atMost(WAIT).until(() -> server.received().stream().filter(WorkerMessage::hasRegister).count() == 2);
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder().setJob(job("AJ_small"))));
        server.await(m -> m.hasAvailability() && m.getAvailability().getJobId().equals("AJ_small"), WAIT);
        assertThat(answersFor("AJ_huge")).isZero();
    }

    @Test
    void offersAndAssignmentsWithoutAJobAreNeverActedOnAndAReOfferCannotOrphanARunningJob() throws Exception {
        server = ScriptedAgentServer.start(WAIT);
        daemon = new Daemon(TestConfigs.config(server.url(), b -> {
            b.healthPort = 0;
            return b;
        }), new LoadedAgent(new WaitingAgent(), "WaitingAgent", getClass().getClassLoader(), null),
                DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.await(WorkerMessage::hasRegister, WAIT);
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("registered"));

        // An offer without a job, one with an empty id, then a good one: only the good one is answered
        // (answers go out in order, so by the time the good one's is here the others would be too).
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder()));
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder().setJob(job(""))));
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder().setJob(job("AJ_good"))));
        WorkerMessage answer = server.await(m -> m.hasAvailability()
                && m.getAvailability().getJobId().equals("AJ_good"), WAIT);
        assertThat(answer.getAvailability().getAvailable()).isTrue();
        assertThat(answersFor("")).isZero();

        // An assignment without a job, then the good one: only the good one runs.
        server.send(assignment(LivekitAgent.JobAssignment.newBuilder().setToken("tok")));
        server.send(assignment(LivekitAgent.JobAssignment.newBuilder().setJob(job("AJ_good")).setToken("tok")));
        server.await(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals("AJ_good")
                && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING, WAIT);
        assertThat(entered).containsExactly("AJ_good");
        assertThat(daemon.snapshot().jobs()).extracting(j -> j.id()).containsExactly("AJ_good");

        // The same job offered again while it runs: declined, and the running one is untouched.
        server.send(offer(LivekitAgent.AvailabilityRequest.newBuilder().setJob(job("AJ_good"))));
        await().atMost(WAIT).until(() -> answersFor("AJ_good") == 2);
        assertThat(server.received().stream().filter(m -> m.hasAvailability()
                && m.getAvailability().getJobId().equals("AJ_good"))
                .map(m -> m.getAvailability().getAvailable())).containsExactly(true, false);
        server.send(ServerMessage.newBuilder().setTermination(LivekitAgent.JobTermination.newBuilder()).build());
        server.send(ServerMessage.getDefaultInstance());
        assertThat(daemon.snapshot().jobs()).extracting(j -> j.id()).containsExactly("AJ_good");

        // It still ends normally when terminated; nothing else was ever reported.
        server.send(ServerMessage.newBuilder().setTermination(
                LivekitAgent.JobTermination.newBuilder().setJobId("AJ_good")).build());
        server.await(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals("AJ_good")
                && m.getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);
        assertThat(server.received().stream().filter(WorkerMessage::hasUpdateJob)
                .map(m -> m.getUpdateJob().getJobId())).containsOnly("AJ_good");

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + daemon.healthPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("lkworker_malformed_server_messages_total{message=\"availability\"} 2.0")
                .contains("lkworker_malformed_server_messages_total{message=\"assignment\"} 1.0")
                .contains("lkworker_malformed_server_messages_total{message=\"termination\"} 1.0")
                .contains("lkworker_malformed_server_messages_total{message=\"empty\"} 1.0");
    }
}
