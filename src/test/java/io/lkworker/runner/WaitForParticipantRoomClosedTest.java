package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import livekit.LivekitAgent.JobStatus;
import livekit.LivekitAgent.UpdateJobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 8: a job waiting in {@code ctx.waitForParticipant()} whose room closes before anyone
 * came ends as an ordinary job with the room's reason, not as a failure of the agent. Through the real
 * daemon (thread executor) and the embedded server, which deletes the room.
 */
@Tag("rtc")
class WaitForParticipantRoomClosedTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Job id → the reason its shutdown callbacks got. */
    static final Map<String, String> REASONS = new ConcurrentHashMap<>();
    /** Job ids whose connect() returned, so the wait has begun (or is about to). */
    static final Set<String> CONNECTED = ConcurrentHashMap.newKeySet();

    /** Joins, then waits for a person who never comes. */
    public static final class WaitingAgent implements Agent {
        @Override
        public void entrypoint(JobContext ctx) throws Exception {
            ctx.addShutdownCallback(reason -> REASONS.put(ctx.job().id(), reason));
            ctx.connect();
            CONNECTED.add(ctx.job().id());
            ctx.waitForParticipant();
        }
    }

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private Daemon daemon;

    @BeforeEach
    void start() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = WorkerConfig.ExecutorKind.THREAD;
            b.agentJar = Path.of("agent.jar");
            b.idle = 0;
            b.runDir = dir.resolve("run");
            return b;
        });
        daemon = new Daemon(config, new LoadedAgent(new WaitingAgent(), "WaitingAgent", getClass().getClassLoader(),
                null), DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        server.close();
    }

    @Test
    void aRoomDeletedWhileWaitingEndsTheJobWithTheRoomsReason() {
        server.createDispatch("nobody-comes", "test-agent", "");
        String job = server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING,
                WAIT).message().getUpdateJob().getJobId();
        await().atMost(WAIT).until(() -> CONNECTED.contains(job));

        assertThat(server.deleteRoom("nobody-comes")).isTrue();

        UpdateJobStatus end = server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job)
                && m.getUpdateJob().getStatus() != JobStatus.JS_RUNNING, WAIT).message().getUpdateJob();
        assertThat(end.getStatus()).as(end.getError()).isEqualTo(JobStatus.JS_SUCCESS);
        assertThat(end.getError()).isEmpty();
        assertThat(REASONS.get(job)).isEqualTo("room disconnected: ROOM_DELETED");
    }
}
