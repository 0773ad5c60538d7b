package io.lkworker.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.localserver.agent.JobSpec;
import io.lkworker.loop.Clock;
import io.lkworker.pool.AgentJarFixture;
import io.lkworker.pool.agents.TestAgent;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.rtc.agent.RoomTestAgent;
import io.lkworker.runner.AgentLoader;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import livekit.LivekitAgent.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-job CPU, memory and room counts through the real daemon, real job JVMs and the embedded
 * LiveKit server: {@code /worker} shows a busy job's figures while it runs, {@code /metrics} its
 * cost once it ended, and a job in a room its participants and tracks as people come and go.
 */
@Tag("process")
class JobUsageDaemonTest {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JobUsageDaemonTest.class);

    /** Job JVMs start in seconds on a shared 2-core machine; CPU and memory need two 2 s samples. */
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private Daemon daemon;
    private final List<RtcRoom> people = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startServer() throws Exception {
        server = LocalLiveKitServer.create(ServerConfig.builder().availabilityTimeout(Duration.ofSeconds(3)).build()).start();
    }

    @AfterEach
    void stopAll() {
        people.forEach(RtcRoom::disconnect);
        if (daemon != null) {
            daemon.close();
        }
        server.close();
    }

    private void startDaemon(Class<?> agent) throws Exception {
        Path jar = AgentJarFixture.build(dir.resolve("agent"), agent);
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = WorkerConfig.ExecutorKind.PROCESS;
            b.agentJar = jar;
            b.idle = 1;
            b.runDir = dir.resolve("run");
            b.healthPort = 0;
            return b;
        });
        daemon = new Daemon(config, AgentLoader.load(jar, null), DefaultExecutors.defaultFactory(),
                LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
    }

    private void startThreadDaemon(io.lkworker.api.Agent agent) throws Exception {
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = WorkerConfig.ExecutorKind.THREAD;
            b.healthPort = 0;
            return b;
        });
        daemon = new Daemon(config, new io.lkworker.runner.LoadedAgent(agent, agent.getClass().getSimpleName(),
                getClass().getClassLoader(), null), DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1), Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
    }

    /** Keeps its entrypoint thread busy until the job is asked to end. */
    private static final class BurningAgent implements io.lkworker.api.Agent {
        static final java.util.concurrent.atomic.AtomicLong SINK = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void entrypoint(io.lkworker.api.JobContext ctx) {
            long x = 0;
            while (!ctx.isShuttingDown()) {
                for (int i = 0; i < 1_000_000; i++) {
                    x = x * 31 + i;
                }
                SINK.set(x);
            }
        }
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.healthPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The job of /worker with this id, or null. */
    private JsonObject workerJob(String jobId) throws Exception {
        JsonArray jobs = JsonParser.parseString(get("/worker")).getAsJsonObject().getAsJsonArray("jobs");
        for (JsonElement e : jobs) {
            if (e.getAsJsonObject().get("id").getAsString().equals(jobId)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    private static boolean positive(JsonObject job, String field) {
        return job != null && job.get(field) != null && !job.get(field).isJsonNull() && job.get(field).getAsDouble() > 0;
    }

    private void awaitStatus(String jobId, JobStatus status) {
        server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getJobId().equals(jobId)
                && m.getUpdateJob().getStatus() == status, WAIT);
    }

    @Test
    void aBusyJobShowsItsCpuAndMemoryWhileItRunsAndItsCostOnceItEnded() throws Exception {
        startDaemon(TestAgent.class);
        String jobId = server.offerJob(JobSpec.forRoom("busy").withAgentName("test-agent").withMetadata("burn"))
                .await(WAIT).jobId();

        await().atMost(WAIT).until(() -> {
            JsonObject job = workerJob(jobId);
            return positive(job, "pid") && positive(job, "cpu_percent") && positive(job, "rss_bytes")
                    && positive(job, "pss_bytes");
        });
        JsonObject job = workerJob(jobId);
        log.info("/worker's job while it burns a core: {}", job);
        long pid = job.get("pid").getAsLong();
        assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(pid)).as("the job's process").isPresent();
        assertThat(job.get("pss_bytes").getAsLong()).isLessThanOrEqualTo(job.get("rss_bytes").getAsLong());
        assertThat(job.get("participants").isJsonNull()).as("no room joined").isTrue();
        assertThat(job.get("age_seconds").getAsLong()).isNotNegative();

        assertThat(server.terminateJob(jobId)).isTrue();
        awaitStatus(jobId, JobStatus.JS_SUCCESS);

        String node = "{nodename=\"" + NodeName.current() + "\"}";
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> s = PrometheusText.parse(get("/metrics"));
            assertThat(s.get("lkworker_job_duration_seconds_count")).isEqualTo(1.0);
            assertThat(s.get("lkworker_job_cpu_seconds_count")).isEqualTo(1.0);
            assertThat(s.get("lkworker_job_cpu_seconds_sum")).isPositive();
            assertThat(s.get("lkworker_job_peak_memory_bytes_count")).isEqualTo(1.0);
            assertThat(s.get("lkworker_job_peak_memory_bytes_sum")).isPositive();
            assertThat(s.get("lk_agents_active_job_count" + node)).isZero();
            assertThat(s.get("lk_agents_worker_load" + node)).isNotNull();
            assertThat(s.get("lk_agents_child_process_count" + node)).isPositive(); // the replacement idle child
            assertThat(s.get("lk_agents_proc_initialize_duration_seconds_count" + node))
                    .isEqualTo(s.get("lkworker_process_initialize_seconds_count")).isPositive();
        });
        log.info("the job's cost: {}", get("/metrics").lines().filter(l -> l.startsWith("lkworker_job_")
                && (l.contains("_sum") || l.contains("_count"))).toList());
    }

    @Test
    void theThreadExecutorShowsItsJobThreadsCpuAndSaysItsMemoryIsUnknown() throws Exception {
        startThreadDaemon(new BurningAgent());
        String jobId = server.offerJob(JobSpec.forRoom("threaded").withAgentName("test-agent").withMetadata("burn"))
                .await(WAIT).jobId();

        await().atMost(WAIT).until(() -> positive(workerJob(jobId), "cpu_percent"));
        JsonObject job = workerJob(jobId);
        assertThat(job.get("pid").getAsLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(job.get("rss_bytes").isJsonNull()).isTrue();
        assertThat(job.get("pss_bytes").isJsonNull()).isTrue();

        assertThat(server.terminateJob(jobId)).isTrue();
        awaitStatus(jobId, JobStatus.JS_SUCCESS);
        await().atMost(WAIT).untilAsserted(() -> {
            Map<String, Double> s = PrometheusText.parse(get("/metrics"));
            assertThat(s.get("lkworker_job_cpu_seconds_count")).isEqualTo(1.0);
            assertThat(s.get("lkworker_job_cpu_seconds_sum")).isPositive();
            assertThat(s.get("lkworker_job_duration_seconds_count")).isEqualTo(1.0);
            assertThat(s.get("lkworker_job_peak_memory_bytes_count")).isZero();
            assertThat(s.get("lk_agents_child_process_count{nodename=\"" + NodeName.current() + "\"}")).isZero();
        });
    }

    private RtcRoom join(String room, String identity) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, "", System.currentTimeMillis(), Duration.ofMinutes(5));
        RtcRoom r = RtcRoom.connect(server.url(), token, ConnectOptions.defaults());
        people.add(r);
        return r;
    }

    @Test
    @Tag("rtc")
    void aJobInARoomCountsItsParticipantsAndTheirTracksAsTheyComeAndGo() throws Exception {
        startDaemon(RoomTestAgent.class);
        server.createDispatch("counted", "test-agent", "stay");
        String jobId = server.awaitMessage(m -> m.hasUpdateJob() && m.getUpdateJob().getStatus() == JobStatus.JS_RUNNING,
                WAIT).message().getUpdateJob().getJobId();
        await().atMost(WAIT).until(() -> {
            JsonObject job = workerJob(jobId);
            return job != null && !job.get("participants").isJsonNull() && job.get("participants").getAsInt() == 0;
        });

        RtcRoom alice = join("counted", "alice");
        alice.localParticipant().publishTrack(LocalAudioTrack.create("microphone", new AudioSource(48000, 1)));
        RtcRoom bob = join("counted", "bob");
        await().atMost(WAIT).until(() -> {
            JsonObject job = workerJob(jobId);
            return job.get("participants").getAsInt() == 2 && job.get("tracks").getAsInt() == 1;
        });

        log.info("/worker's job in a room with two people: {}", workerJob(jobId));
        bob.disconnect();
        await().atMost(WAIT).until(() -> workerJob(jobId).get("participants").getAsInt() == 1);
        assertThat(workerJob(jobId).get("tracks").getAsInt()).isEqualTo(1);

        assertThat(server.deleteRoom("counted")).isTrue();
        awaitStatus(jobId, JobStatus.JS_SUCCESS);
    }
}
