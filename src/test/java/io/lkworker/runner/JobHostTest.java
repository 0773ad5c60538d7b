package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobInfo;
import io.lkworker.api.JobType;
import io.lkworker.api.RoomInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobHostTest {

    private static final JobInfo JOB = new JobInfo("AJ_test", JobType.ROOM,
            new RoomInfo("RM_1", "room-1", "", 0, 0), null, "", "", "", Map.of(), "");

    private final List<String> callbacks = new CopyOnWriteArrayList<>();

    private JobResult run(Agent agent, Duration grace, Duration callbackTimeout, String shutdownReason)
            throws Exception {
        CompletableFuture<JobResult> result = new CompletableFuture<>();
        JobHost host = new JobHost(agent, new JobHost.Spec(JOB, "ws://x", "tok", "AW_1", "agent-AJ_test"),
                new SimpleJobProcess(1), grace, callbackTimeout, result::complete);
        host.start();
        if (shutdownReason != null) {
            host.requestShutdown(shutdownReason);
        }
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void returningFromTheEntrypointSucceedsAndRunsCallbacks() throws Exception {
        JobResult r = run(ctx -> ctx.addShutdownCallback(reason -> callbacks.add(reason)),
                Duration.ofSeconds(1), Duration.ofSeconds(1), null);
        assertThat(r.success()).isTrue();
        assertThat(r.reason()).isEqualTo("entrypoint returned");
        assertThat(callbacks).containsExactly("entrypoint returned");
    }

    @Test
    void anEntrypointExceptionFailsTheJobWithItsTextAndStillRunsCallbacks() throws Exception {
        JobResult r = run(ctx -> {
            ctx.addShutdownCallback(callbacks::add);
            throw new IllegalStateException("no microphone", new java.io.IOException("device busy"));
        }, Duration.ofSeconds(1), Duration.ofSeconds(1), null);
        assertThat(r.success()).isFalse();
        assertThat(r.error()).isEqualTo(
                "java.lang.IllegalStateException: no microphone (caused by java.io.IOException: device busy)");
        assertThat(callbacks).containsExactly("job failed");
    }

    @Test
    void shutdownWakesAwaitShutdownWithTheReason() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        JobResult r = run(ctx -> seen.complete(ctx.awaitShutdown()), Duration.ofSeconds(5), Duration.ofSeconds(1),
                "terminated by the server");
        assertThat(seen.get(1, TimeUnit.SECONDS)).isEqualTo("terminated by the server");
        assertThat(r.success()).isTrue();
        assertThat(r.reason()).isEqualTo("terminated by the server");
    }

    @Test
    void anEntrypointThatOverrunsTheGraceIsInterruptedAndTheJobStillEnds() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Agent stubborn = ctx -> {
            ctx.addShutdownCallback(callbacks::add);
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        };
        JobResult r = run(stubborn, Duration.ofMillis(100), Duration.ofSeconds(1), "worker stopped");
        assertThat(interrupted.await(1, TimeUnit.SECONDS)).isTrue();
        assertThat(r.success()).isTrue();
        assertThat(callbacks).containsExactly("worker stopped");
    }

    @Test
    void ctxShutdownFromTheEntrypointEndsTheJobWithThatReason() throws Exception {
        JobResult r = run(ctx -> {
            ctx.addShutdownCallback(callbacks::add);
            ctx.shutdown("user hung up");
            ctx.awaitShutdown();
        }, Duration.ofSeconds(1), Duration.ofSeconds(1), null);
        assertThat(r.success()).isTrue();
        assertThat(callbacks).containsExactly("user hung up");
    }

    @Test
    void hangingCallbacksAreBoundedByTheCallbackTimeout() throws Exception {
        // A callback that never returns must not keep the job from ending (run() waits at most 10 s).
        JobResult r = run(ctx -> ctx.addShutdownCallback(reason -> new CountDownLatch(1).await()),
                Duration.ofSeconds(1), Duration.ofMillis(200), null);
        assertThat(r.success()).isTrue();
    }

    @Test
    void theEntrypointSeesJobInfoAndMdc() throws Exception {
        CompletableFuture<String> mdc = new CompletableFuture<>();
        CompletableFuture<JobContext> context = new CompletableFuture<>();
        run(ctx -> {
            mdc.complete(org.slf4j.MDC.get("job_id") + "/" + org.slf4j.MDC.get("room"));
            context.complete(ctx);
        }, Duration.ofSeconds(1), Duration.ofSeconds(1), null);
        assertThat(mdc.get()).isEqualTo("AJ_test/room-1");
        JobContext ctx = context.get();
        assertThat(ctx.participantIdentity()).isEqualTo("agent-AJ_test");
        assertThat(ctx.token()).isEqualTo("tok");
        assertThat(ctx.job().room().name()).isEqualTo("room-1");
    }
}
