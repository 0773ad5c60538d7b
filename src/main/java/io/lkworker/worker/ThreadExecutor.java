package io.lkworker.worker;

import io.lkworker.logging.Plural;
import io.lkworker.api.Agent;
import io.lkworker.load.CpuWindow;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import io.lkworker.runner.JobHost;
import io.lkworker.runner.JobInfos;
import io.lkworker.runner.JobResult;
import io.lkworker.runner.RoomStatsReporter;
import io.lkworker.runner.SimpleJobProcess;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each job on threads inside the daemon ({@code --job-executor thread}): no isolation, no
 * start-up cost. For tiny jobs and tests. The agent is prewarmed once, for the daemon's "process".
 * Loop thread only; job hosts report back through {@link EventLoop#execute}.
 *
 * <p>What {@code /worker} shows of a job here: the CPU of its entrypoint thread (sampled every 2 s
 * through the JVM's thread CPU clock, a call of microseconds, so on the loop) and its room's counts.
 * Its memory cannot be told apart from the daemon's (one heap): it is reported unknown, never 0.
 */
public final class ThreadExecutor implements JobExecutor {

    private static final Logger log = LoggerFactory.getLogger(ThreadExecutor.class);
    /** Slack on top of grace + callback timeout before close() stops waiting for a job host. */
    private static final long CLOSE_SLACK_MILLIS = 1_500;

    private final EventLoop loop;
    /** Replaced by a dev-mode reload; read on the loop thread at each launch. */
    private Agent agent;
    private final Duration entrypointGrace;
    private final Duration callbackTimeout;
    private final SimpleJobProcess process = new SimpleJobProcess(ProcessHandle.current().pid());
    private final Map<String, Hosted> hosts = new LinkedHashMap<>();
    private Runnable onClosed;

    /** How often each job thread's CPU time is read (the same pace as the pool's sampler). */
    private static final long CPU_SAMPLE_MILLIS = 2000;

    /** A job and what is known of its cost. Loop thread. */
    private static final class Hosted {
        final JobHost host;
        final JobEvents events;
        final CpuWindow cpu = new CpuWindow(5_000_000_000L);
        RoomStatsReporter.Counts room;

        Hosted(JobHost host, JobEvents events) {
            this.host = host;
            this.events = events;
        }

        JobHost host() {
            return host;
        }

        JobEvents events() {
            return events;
        }
    }

    private Timer cpuTimer;

    public ThreadExecutor(EventLoop loop, Agent agent, Duration entrypointGrace, Duration callbackTimeout) {
        this.loop = loop;
        this.agent = agent;
        this.entrypointGrace = entrypointGrace;
        this.callbackTimeout = callbackTimeout;
    }

    /** Runs the agent's prewarm once, on the calling thread, before the loop starts. */
    public void prewarm() throws Exception {
        agent.prewarm(process);
    }

    @Override
    public void start() {
        cpuTimer = loop.scheduleAtFixedRate(CPU_SAMPLE_MILLIS, CPU_SAMPLE_MILLIS, this::sampleCpu);
    }

    private void sampleCpu() {
        long now = loop.clock().nanos();
        for (Hosted h : hosts.values()) {
            long ns = h.host().entrypointCpuNanos();
            if (ns >= 0) {
                h.cpu.add(now, ns);
            }
        }
    }

    @Override
    public JobUsage usage(String jobId) {
        Hosted h = hosts.get(jobId);
        if (h == null) {
            return JobUsage.UNKNOWN;
        }
        RoomStatsReporter.Counts room = h.room;
        return new JobUsage(h.cpu.percent(), null, null, room == null ? null : room.participants(),
                room == null ? null : room.tracks());
    }

    @Override
    public void reload(io.lkworker.runner.LoadedAgent loaded) {
        assert loop.inLoop();
        try {
            loaded.agent().prewarm(process);
        } catch (Exception e) {
            log.warn("prewarm of the reloaded agent failed: {}", e.toString());
        }
        this.agent = loaded.agent();
    }

    @Override
    public void launch(JobLaunch launch, JobEvents events) {
        assert loop.inLoop();
        String jobId = launch.jobId();
        JobHost.Spec spec = new JobHost.Spec(JobInfos.fromProto(launch.job()), launch.url(), launch.token(),
                launch.workerId(), launch.accept().identity());
        JobHost host = new JobHost(agent, spec, process, entrypointGrace, callbackTimeout,
                result -> loop.execute(() -> ended(jobId, result)));
        Hosted hosted = new Hosted(host, events);
        host.measureEntrypointCpu();
        host.reportRoomCounts(counts -> loop.execute(() -> hosted.room = counts));
        hosts.put(jobId, hosted);
        host.start();
        events.onRunning(jobId, process.pid());
    }

    private void ended(String jobId, JobResult result) {
        Hosted hosted = hosts.remove(jobId);
        if (hosted == null) {
            return;
        }
        long cpuNanos = hosted.host().entrypointCpuNanos();
        JobOutcome outcome = result.success() ? JobOutcome.succeeded() : JobOutcome.failed(result.error());
        hosted.events().onEnded(jobId, outcome, new JobCost(cpuNanos >= 0 ? cpuNanos / 1e9 : null, null));
        maybeClosed();
    }

    @Override
    public boolean terminate(String jobId, String reason) {
        Hosted hosted = hosts.get(jobId);
        if (hosted == null) {
            return false;
        }
        hosted.host().requestShutdown(reason);
        return true;
    }

    @Override
    public void close(String reason, Runnable closed) {
        assert loop.inLoop();
        this.onClosed = closed;
        if (hosts.isEmpty()) {
            maybeClosed();
            return;
        }
        hosts.values().forEach(h -> h.host().requestShutdown(reason));
        long bound = entrypointGrace.toMillis() + callbackTimeout.toMillis() + CLOSE_SLACK_MILLIS;
        loop.schedule(bound, () -> {
            if (hosts.isEmpty()) {
                return;
            }
            log.warn("{} not finish within {} ms of shutdown; abandoning {}",
                    Plural.of(hosts.size(), "job thread did", "job threads did"), bound, hosts.size() == 1 ? "it" : "them");
            for (String jobId : hosts.keySet().toArray(String[]::new)) {
                ended(jobId, new JobResult(false, "job did not stop within " + bound + " ms of shutdown", reason));
            }
        });
    }

    /**
     * Threads cannot be killed: each job is asked to shut down (its entrypoint interrupted after the
     * grace) and reported failed now; the daemon exits without waiting for the threads.
     */
    @Override
    public void closeNow(String reason, Runnable closed) {
        assert loop.inLoop();
        if (onClosed == null) {
            onClosed = closed;
        }
        for (String jobId : hosts.keySet().toArray(String[]::new)) {
            hosts.get(jobId).host().requestShutdown(reason);
            ended(jobId, new JobResult(false, reason, reason));
        }
        maybeClosed();
    }

    private void maybeClosed() {
        if (onClosed != null && hosts.isEmpty()) {
            if (cpuTimer != null) {
                cpuTimer.cancel();
            }
            Runnable r = onClosed;
            onClosed = null;
            r.run();
        }
    }

    @Override
    public ExecutorStats stats() {
        return new ExecutorStats(0, 0, hosts.size());
    }
}
