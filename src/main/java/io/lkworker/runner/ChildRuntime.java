package io.lkworker.runner;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.ipc.proto.Ipc;
import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.ipc.proto.Ipc.InitializeRequest;
import io.lkworker.ipc.proto.Ipc.JobState;
import io.lkworker.ipc.proto.Ipc.StartJob;
import io.lkworker.webrtc.NativeLibrary;
import io.lkworker.webrtc.WebRtcUnavailableException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import livekit.LivekitAgent;
import livekit.LivekitModels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a child JVM does between connecting and exiting: initialize (load the agent, prewarm),
 * answer pings, run exactly one job, honour shutdown requests, and leave when its daemon is gone.
 *
 * <p>Threads: the main thread runs initialization and then waits for the exit decision; the IPC
 * reader thread handles messages (so pings are answered even while prewarm or the job is busy);
 * the job runs on {@link JobHost}'s threads.
 */
final class ChildRuntime implements ParentLink.Handler {

    private static final Logger log = LoggerFactory.getLogger(ChildRuntime.class);
    /** Exit code of a child whose prewarm failed (the daemon already knows why from the response). */
    static final int EXIT_PREWARM_FAILED = 2;
    /**
     * When the daemon disappears mid-job, the job gets this long to react to its shutdown request
     * before the process halts: short, because an orphaned job can no longer report anything.
     */
    private static final long ORPHAN_GRACE_MILLIS = 1000;

    private final ParentLink link;
    private final Path agentJar;
    private final String agentClass;
    private final long pid;
    private final PrintStream stderr;
    private final BlockingQueue<InitializeRequest> initialize = new ArrayBlockingQueue<>(1);
    private final CountDownLatch exitDecided = new CountDownLatch(1);
    private volatile int exitCode;
    private volatile Agent agent;
    private volatile ClassLoader agentLoader;
    private volatile InitializeRequest settings;
    private volatile JobHost job;
    private final SimpleJobProcess process;

    ChildRuntime(ParentLink link, Path agentJar, String agentClass, long pid, PrintStream stderr) {
        this.link = link;
        this.agentJar = agentJar;
        this.agentClass = agentClass;
        this.pid = pid;
        this.stderr = stderr;
        this.process = new SimpleJobProcess(pid);
    }

    /** Main thread: initialize, then wait until the child should exit. Returns the exit code. */
    int run() throws InterruptedException {
        InitializeRequest init = initialize.take();
        settings = init;
        long started = System.nanoTime();
        String error = "";
        Thread webrtc = Boolean.getBoolean(ChildMain.WEBRTC_PRELOAD_PROPERTY) ? startWebRtcPreload() : null;
        try {
            LoadedAgent loaded = AgentLoader.load(agentJar, agentClass);
            agentLoader = loaded.loader();
            Thread.currentThread().setContextClassLoader(agentLoader);
            loaded.agent().prewarm(process);
            agent = loaded.agent();
            warmJobPath();
        } catch (Throwable t) {
            error = JobHost.describe(t);
            log.error("prewarm failed", t);
        }
        if (webrtc != null) {
            webrtc.join();
        }
        long prewarmMs = (System.nanoTime() - started) / 1_000_000;
        link.send(Envelope.newBuilder().setInitialized(
                Ipc.InitializeResponse.newBuilder().setError(error).setPrewarmMs(prewarmMs)).build());
        if (!error.isEmpty()) {
            return EXIT_PREWARM_FAILED;
        }
        exitDecided.await();
        return exitCode;
    }

    @Override
    public void onMessage(Envelope message) {
        switch (message.getMsgCase()) {
            case INITIALIZE -> initialize.offer(message.getInitialize());
            case PING -> link.send(Envelope.newBuilder().setPong(Ipc.Pong.newBuilder()
                    .setLastTimestampMs(message.getPing().getTimestampMs())
                    .setTimestampMs(System.currentTimeMillis())).build());
            case START_JOB -> startJob(message.getStartJob());
            case SHUTDOWN -> shutdown(message.getShutdown().getReason());
            default -> log.warn("ignoring unexpected {} from the daemon", message.getMsgCase());
        }
    }

    private void startJob(StartJob start) {
        if (agent == null || job != null) {
            log.warn("ignoring StartJob: {}", agent == null ? "not initialized" : "a job already runs in this process");
            return;
        }
        LivekitAgent.Job proto;
        try {
            proto = LivekitAgent.Job.parseFrom(start.getJob());
        } catch (InvalidProtocolBufferException e) {
            failWithoutJob("StartJob carried an unreadable job: " + e.getMessage());
            return;
        }
        JobHost.Spec spec = new JobHost.Spec(JobInfos.fromProto(proto), start.getUrl(), start.getToken(),
                start.getWorkerId(), start.getAcceptIdentity());
        JobHost host = new JobHost(agent, spec, process, Duration.ofMillis(settings.getEntrypointGraceMs()),
                Duration.ofMillis(settings.getShutdownTimeoutMs()), this::onJobEnded);
        host.reportRoomCounts(counts -> link.send(Envelope.newBuilder().setRoomStats(Ipc.RoomStats.newBuilder()
                .setParticipants(counts.participants()).setTracks(counts.tracks())).build()));
        job = host;
        // Job threads inherit this thread's context loader: make it the agent's.
        Thread.currentThread().setContextClassLoader(agentLoader);
        // JOB_RUNNING once the entrypoint's thread is started, not before: the status wakes our writer
        // thread and then the daemon, which on a small machine compete with that thread for a core.
        // Still before the coordinator starts, so it always precedes the final status.
        host.start(() -> status(JobState.JOB_RUNNING, ""));
    }

    /**
     * Loads the WebRTC library beside agent loading and prewarm, so a warm child's {@code connect()}
     * pays nothing for it. Only the library: the engine (factory, audio device and its 10 ms playout
     * thread) is created on the first connect, so idle children do not wake up a hundred times a second.
     * A failure (a missing system library) is logged here and reported again by {@code connect()}.
     */
    private static Thread startWebRtcPreload() {
        Thread t = new Thread(() -> {
            try {
                NativeLibrary.load();
            } catch (WebRtcUnavailableException e) {
                log.warn("rooms will not work in this job process: {}", e.getMessage());
            }
        }, "lkw-webrtc-preload");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void onJobEnded(JobResult result) {
        status(result.success() ? JobState.JOB_SUCCEEDED : JobState.JOB_FAILED, result.error());
        link.send(Envelope.newBuilder().setShuttingDown(Ipc.ShuttingDown.getDefaultInstance()).build());
        link.send(Envelope.newBuilder().setExiting(Ipc.Exiting.newBuilder().setReason(
                result.reason() == null ? "" : result.reason())).build());
        exit(0);
    }

    private void failWithoutJob(String error) {
        log.error(error);
        status(JobState.JOB_FAILED, error);
        exit(1);
    }

    private void shutdown(String reason) {
        link.send(Envelope.newBuilder().setShutdownAck(Ipc.ShutdownAck.getDefaultInstance()).build());
        JobHost running = job;
        if (running == null) {
            link.send(Envelope.newBuilder().setShuttingDown(Ipc.ShuttingDown.getDefaultInstance()).build());
            link.send(Envelope.newBuilder().setExiting(Ipc.Exiting.newBuilder().setReason("shutdown requested")).build());
            exit(0);
        } else {
            running.requestShutdown(reason == null || reason.isBlank() ? "parent process shutdown" : reason);
        }
    }

    @Override
    public void onParentGone(String why) {
        stderr.println("lk-worker child " + pid + ": daemon gone (" + why + "); exiting");
        JobHost running = job;
        if (running != null) {
            running.requestShutdown("parent process gone");
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(ORPHAN_GRACE_MILLIS);
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                OrphanExit.now(pid);
            }, "lkw-orphan-halt");
            halter.setDaemon(true);
            halter.start();
        } else {
            OrphanExit.now(pid);
        }
    }

    private void status(JobState state, String error) {
        link.send(Envelope.newBuilder().setJobStatus(Ipc.JobStatus.newBuilder().setState(state)
                .setError(error == null ? "" : error)).build());
    }

    private void exit(int code) {
        exitCode = code;
        exitDecided.countDown();
    }

    /**
     * Runs the job start path once without a job, so the classes it needs are loaded and linked
     * before the real job arrives (every child runs exactly one job, so nothing is warm otherwise).
     */
    private void warmJobPath() throws Exception {
        LivekitAgent.Job sample = LivekitAgent.Job.newBuilder().setId("AJ_warmup").setType(LivekitAgent.JobType.JT_ROOM)
                .setRoom(LivekitModels.Room.newBuilder().setName("warmup").setSid("RM_warmup"))
                .setParticipant(LivekitModels.ParticipantInfo.newBuilder().setIdentity("warmup"))
                .build();
        Envelope envelope = Envelope.newBuilder().setStartJob(StartJob.newBuilder().setJob(sample.toByteString())
                .setUrl("ws://warmup").setToken("x").putAcceptAttributes("k", "v")).build();
        Envelope parsed = Envelope.parseFrom(envelope.toByteArray());
        LivekitAgent.Job job = LivekitAgent.Job.parseFrom(parsed.getStartJob().getJob());
        JobHost.Spec spec = new JobHost.Spec(JobInfos.fromProto(job), "", "", "", "");
        Agent noop = new Agent() {
            @Override
            public void entrypoint(JobContext ctx) {
            }
        };
        new JobHost(noop, spec, process, Duration.ZERO, Duration.ZERO, r -> { });
        Ipc.JobStatus.newBuilder().setState(JobState.JOB_RUNNING).build().toByteString();
        new JobResult(true, "", "");
    }
}
