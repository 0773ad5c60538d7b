package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobRequest;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.localserver.agent.OfferOutcome;
import io.lkworker.loop.Clock;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.pool.agents.TestAgent;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every line about a job carries its job id and room in the MDC (design §11): the offer, the agent's
 * own lines from {@code onRequest} (which runs in the daemon), the decision, and the launch.
 */
class JobLogLinesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private LocalLiveKitServer server;
    private Daemon daemon;

    /** Decides by the metadata, and says so in its own log lines, as agents do. */
    public static final class DecidingAgent implements Agent {
        private static final org.slf4j.Logger log = LoggerFactory.getLogger(DecidingAgent.class);

        @Override
        public void onRequest(JobRequest request) {
            String id = request.job().id();
            switch (request.job().metadata()) {
                case "no" -> {
                    log.info("rejecting job {}: not for us", id);
                    request.reject();
                }
                case "later" -> log.info("leaving job {} undecided", id);
                default -> {
                    log.info("taking job {}", id);
                    request.accept();
                }
            }
        }

        @Override
        public void entrypoint(JobContext ctx) {
        }
    }

    @BeforeEach
    void start() throws Exception {
        logs.start();
        root.addAppender(logs);
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(5)).build())
                .start();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        server.close();
        root.detachAppender(logs);
    }

    private void startDaemon(WorkerConfig config, LoadedAgent agent) throws Exception {
        daemon = new Daemon(config, agent, DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
    }

    private OfferOutcome offer(String room, String metadata) {
        return server.offerJob(JobSpec.forRoom(room).withAgentName("test-agent").withMetadata(metadata)).await(WAIT);
    }

    /** The worker's lines that name {@code jobId} (not the embedded server's); each must carry it and its room. */
    private List<ILoggingEvent> linesAbout(String jobId, String room) {
        List<ILoggingEvent> about;
        synchronized (logs.list) {
            about = logs.list.stream().filter(e -> e.getFormattedMessage().contains(jobId))
                    .filter(e -> !e.getLoggerName().startsWith("io.lkworker.localserver")).toList();
        }
        assertThat(about).allSatisfy(e -> assertThat(e.getMDCPropertyMap())
                .as("MDC of '%s'", e.getFormattedMessage())
                .containsEntry("job_id", jobId).containsEntry("room", room));
        return about;
    }

    private static List<String> messages(List<ILoggingEvent> events) {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void offerAgentAndDecisionLinesCarryTheJobAndRoom() throws Exception {
        startDaemon(TestConfigs.config(server.url(), b -> b),
                new LoadedAgent(new DecidingAgent(), "DecidingAgent", getClass().getClassLoader(), null));

        OfferOutcome accepted = offer("room-yes", "yes");
        OfferOutcome rejected = offer("room-no", "no");
        OfferOutcome undecided = offer("room-later", "later");
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(accepted.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);

        assertThat(messages(linesAbout(accepted.jobId(), "room-yes"))).contains(
                "taking job " + accepted.jobId(),
                "accepted job " + accepted.jobId() + " as 'agent-" + accepted.jobId() + "'",
                "launching job " + accepted.jobId() + " in room room-yes");
        assertThat(messages(linesAbout(rejected.jobId(), "room-no"))).contains(
                "rejecting job " + rejected.jobId() + ": not for us",
                "agent rejected job " + rejected.jobId());
        assertThat(messages(linesAbout(undecided.jobId(), "room-later"))).contains(
                "leaving job " + undecided.jobId() + " undecided",
                "declining job " + undecided.jobId() + ": onRequest returned without accepting or rejecting");
        // the agent's lines come from a request thread, reused across offers: each line above named its
        // own job in the MDC, so nothing of one offer leaked onto the next
        assertThat(linesAbout(rejected.jobId(), "room-no")).anySatisfy(e -> assertThat(e.getThreadName())
                .startsWith("lk-request"));

        // and the session's lines read cleanly: no stray spaces, no '1 ... jobs'
        List<String> all;
        synchronized (logs.list) {
            all = messages(List.copyOf(logs.list));
        }
        assertThat(all).anySatisfy(m -> assertThat(m).startsWith("registered with LiveKit as worker "));
        assertThat(all).allSatisfy(m -> assertThat(m).doesNotContain("  ").doesNotContain(" ,")
                .doesNotContain("( ").doesNotContain(" )").doesNotContainPattern("\\b1 [a-z ]*(jobs|children|failures)\\b"));
    }

    @Test
    @Tag("process")
    void theWaitForAProcessIsAboutTheJob() throws Exception {
        Path jar = AgentJarFixture.build(tmp, TestAgent.class);
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = WorkerConfig.ExecutorKind.PROCESS;
            b.agentJar = jar;
            b.idle = 0; // no warm process: the job waits for one
            b.runDir = tmp.resolve("run");
            return b;
        });
        startDaemon(config, AgentLoader.load(jar, null));

        OfferOutcome job = offer("room-cold", "ok");
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(job.jobId())
                && m.getUpdateJob().getStatus() == JobStatus.JS_SUCCESS, WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(messages(linesAbout(job.jobId(), "room-cold")))
                .anySatisfy(m -> assertThat(m).startsWith("no warm process for job " + job.jobId() + "; waiting")));
    }
}
