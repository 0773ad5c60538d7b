package io.lkworker.pool;

import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import io.lkworker.worker.AcceptArguments;
import io.lkworker.worker.JobEvents;
import io.lkworker.worker.JobLaunch;
import io.lkworker.worker.JobOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitAgent;
import livekit.LivekitModels;

/** A real event loop on its own thread driving a {@link ProcessPool}; every pool call is posted to the loop. */
final class PoolHarness implements AutoCloseable {

    /** What one job reported, as futures completed on the loop thread. */
    static final class Job implements JobEvents {
        final String id;
        final CompletableFuture<Long> running = new CompletableFuture<>();
        final CompletableFuture<JobOutcome> ended = new CompletableFuture<>();
        volatile int endedCalls;

        Job(String id) {
            this.id = id;
        }

        @Override
        public void onRunning(String jobId, long pid) {
            running.complete(pid);
        }

        @Override
        public void onEnded(String jobId, JobOutcome outcome) {
            endedCalls++;
            ended.complete(outcome);
        }

        JobOutcome outcome(Duration within) throws Exception {
            return ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
        }

        long pid() throws Exception {
            return running.get(30, TimeUnit.SECONDS);
        }
    }

    final EventLoop loop;
    final ProcessPool pool;

    PoolHarness(PoolOptions options) throws Exception {
        this(options, true);
    }

    /** {@code start == false}: the test starts the pool itself, on the loop ({@link #call}). */
    PoolHarness(PoolOptions options, boolean start) throws Exception {
        loop = new EventLoop(Clock.system()).start("test-loop");
        pool = new ProcessPool(loop, options);
        if (start) {
            call(() -> {
                pool.start();
                return null;
            });
        }
    }

    static PoolOptions options(java.nio.file.Path agentJar, int idle) {
        return PoolOptions.defaults(agentJar).withIdle(idle)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withDirs(null, null);
    }

    <T> T call(Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(30, TimeUnit.SECONDS);
    }

    Job launch(String jobId, String metadata) throws Exception {
        return launch(jobId, metadata, "tok-" + jobId);
    }

    Job launch(String jobId, String metadata, String token) throws Exception {
        Job job = new Job(jobId);
        JobLaunch launch = launchOf(jobId, metadata, token);
        call(() -> {
            pool.launch(launch, job);
            return null;
        });
        return job;
    }

    static JobLaunch launchOf(String jobId, String metadata, String token) {
        LivekitAgent.Job job = LivekitAgent.Job.newBuilder().setId(jobId).setType(LivekitAgent.JobType.JT_ROOM)
                .setMetadata(metadata)
                .setRoom(LivekitModels.Room.newBuilder().setName("room-" + jobId).setSid("RM_" + jobId))
                .build();
        return new JobLaunch(job, "ws://localhost:7880", token, "W_test",
                new AcceptArguments("agent-" + jobId, "", "", Map.of()));
    }

    int idle() throws Exception {
        return call(() -> pool.stats().idle());
    }

    List<Long> idlePids() throws Exception {
        return call(pool::idlePids);
    }

    List<Long> childPids() throws Exception {
        return call(pool::childPids);
    }

    int spawned() throws Exception {
        return call(pool::spawnedCount);
    }

    boolean terminate(String jobId, String reason) throws Exception {
        return call(() -> pool.terminate(jobId, reason));
    }

    @Override
    public void close() throws Exception {
        List<Long> pids = childPids();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() -> pool.close("test over", () -> closed.complete(null)));
        try {
            closed.get(30, TimeUnit.SECONDS);
        } finally {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            loop.close();
        }
    }
}
