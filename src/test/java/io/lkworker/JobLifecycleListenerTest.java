package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobRequest;
import io.lkworker.load.LoadMonitor;
import io.lkworker.loop.Clock;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.ScriptedAgentServer;
import io.lkworker.testing.TestConfigs;
import io.lkworker.worker.JobLifecycleListener;
import io.lkworker.worker.JobLifecycleListener.Stage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitAgent;
import livekit.LivekitAgent.ServerMessage;
import livekit.LivekitAgent.WorkerMessage;
import livekit.LivekitModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's job lifecycle hook (what {@code lk-worker dev}'s playground shows as the job's timeline):
 * a taken job passes offered → accepted → assigned → running → ended with its room and details, a
 * rejected one offered → declined; a listener that throws harms nothing.
 */
class JobLifecycleListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ScriptedAgentServer server;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Takes every job but {@code AJ_no}; each runs until it is terminated. */
    private static final class Choosy implements Agent {
        @Override
        public void onRequest(JobRequest req) {
            if (req.job().id().equals("AJ_no")) {
                req.reject();
            } else {
                req.accept();
            }
        }

        @Override
        public void entrypoint(JobContext ctx) throws Exception {
            ctx.awaitShutdown();
        }
    }

    private static LivekitAgent.Job job(String id) {
        return LivekitAgent.Job.newBuilder().setId(id).setType(LivekitAgent.JobType.JT_ROOM)
                .setRoom(LivekitModels.Room.newBuilder().setName("room-" + id).setSid("RM_" + id)).build();
    }

    @Test
    void listenersHearEveryStageOfEachJob() throws Exception {
        server = ScriptedAgentServer.start(WAIT);
        daemon = new Daemon(TestConfigs.config(server.url(), b -> b),
                new LoadedAgent(new Choosy(), "Choosy", getClass().getClassLoader(), null),
                DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        List<JobLifecycleListener.Event> events = new CopyOnWriteArrayList<>();
        daemon.query(w -> {
            w.addJobListener(e -> {
                throw new IllegalStateException("a broken listener");
            });
            w.addJobListener(events::add);
            return null;
        });
        server.await(WorkerMessage::hasRegister, WAIT);
        await().atMost(WAIT).until(() -> daemon.snapshot().state().equals("registered"));

        server.send(ServerMessage.newBuilder().setAvailability(
                LivekitAgent.AvailabilityRequest.newBuilder().setJob(job("AJ_no"))).build());
        server.send(ServerMessage.newBuilder().setAvailability(
                LivekitAgent.AvailabilityRequest.newBuilder().setJob(job("AJ_yes"))).build());
        server.await(m -> m.hasAvailability() && m.getAvailability().getJobId().equals("AJ_yes"), WAIT);
        // DECLINED is told just before the answer goes out
        server.await(m -> m.hasAvailability() && m.getAvailability().getJobId().equals("AJ_no"), WAIT);
        server.send(ServerMessage.newBuilder().setAssignment(
                LivekitAgent.JobAssignment.newBuilder().setJob(job("AJ_yes")).setToken("tok")).build());
        server.await(m -> m.hasUpdateJob() && m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_RUNNING, WAIT);
        server.send(ServerMessage.newBuilder().setTermination(
                LivekitAgent.JobTermination.newBuilder().setJobId("AJ_yes")).build());
        server.await(m -> m.hasUpdateJob() && m.getUpdateJob().getStatus() == LivekitAgent.JobStatus.JS_SUCCESS, WAIT);
        // ENDED is told before the status goes out (same loop task): it is here already
        List<JobLifecycleListener.Event> yes = events.stream().filter(e -> e.jobId().equals("AJ_yes")).toList();
        assertThat(yes).extracting(JobLifecycleListener.Event::stage)
                .containsExactly(Stage.OFFERED, Stage.ACCEPTED, Stage.ASSIGNED, Stage.RUNNING, Stage.ENDED);
        assertThat(yes).allSatisfy(e -> assertThat(e.room()).isEqualTo("room-AJ_yes"));
        assertThat(yes.get(1).detail()).isEqualTo("as agent-AJ_yes");
        assertThat(yes.get(3).detail()).startsWith("pid ");
        assertThat(yes.get(4).detail()).isEqualTo("succeeded");
        assertThat(yes).isSortedAccordingTo((a, b) -> Long.compare(a.wallMillis(), b.wallMillis()));
        assertThat(events.stream().filter(e -> e.jobId().equals("AJ_no")))
                .extracting(JobLifecycleListener.Event::stage).containsExactly(Stage.OFFERED, Stage.DECLINED);
    }
}
