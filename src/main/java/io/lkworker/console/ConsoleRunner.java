package io.lkworker.console;

import io.lkworker.api.AcceptOptions;
import io.lkworker.config.WorkerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import io.lkworker.runner.JobInfos;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.worker.AcceptArguments;
import io.lkworker.worker.ExecutorFactory;
import io.lkworker.worker.JobEvents;
import io.lkworker.worker.WorkerMetrics;
import io.lkworker.worker.JobExecutor;
import io.lkworker.worker.JobLaunch;
import io.lkworker.worker.JobOutcome;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import livekit.LivekitAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job without a worker connection: offers the {@link ConsoleJob} to the agent's {@code onRequest}, then
 * runs it through a real {@link JobExecutor} on a real {@link EventLoop}, as the worker would, and
 * reports how it ended.
 *
 * <p>Threads: the caller's thread waits for the result; the loop thread owns the executor (every
 * executor call is posted to it); {@code onRequest} runs on a thread of its own under the request
 * timeout; {@link #interrupt} may be called from any thread (a signal handler).
 */
public final class ConsoleRunner {

    private static final Logger log = LoggerFactory.getLogger(ConsoleRunner.class);
    /** After the job ended, how long to wait for the executor to release its threads or children. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    /** How the run ended. */
    public enum Kind { SUCCEEDED, FAILED, REJECTED, ABORTED }

    /**
     * @param kind how it ended
     * @param jobId the job's id
     * @param detail why it failed, was rejected or aborted; "" on success
     */
    public record Result(Kind kind, String jobId, String detail) {
    }

    private final WorkerConfig config;
    private final LoadedAgent agent;
    private final ExecutorFactory executors;
    private final ConsoleJob consoleJob;
    private final String url;
    private final AtomicInteger interrupts = new AtomicInteger();
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    /** Set once the job is launched; read by {@link #interrupt} from other threads. */
    private volatile Runnable terminate;

    /** @param url the LiveKit server the job's room is on (the console's embedded one) */
    public ConsoleRunner(WorkerConfig config, LoadedAgent agent, ExecutorFactory executors, ConsoleJob job,
            String url) {
        this.config = config;
        this.url = url;
        this.agent = agent;
        this.executors = executors;
        this.consoleJob = job;
    }

    /** Runs the job to its end. */
    public Result run() throws InterruptedException {
        long now = System.currentTimeMillis();
        LivekitAgent.Job job = consoleJob.toProto(now);
        log.info("console job {} in room '{}' on {}", job.getId(), job.getRoom().getName(), url);
        ConsoleRequest.Decision decision;
        try {
            decision = decide(job);
        } catch (Undecided e) {
            return new Result(Kind.REJECTED, job.getId(), e.getMessage());
        }
        if (!decision.accepted()) {
            return new Result(Kind.REJECTED, job.getId(),
                    "the agent rejected the job" + (decision.terminate() ? " (reject and terminate)" : ""));
        }
        AcceptArguments accept = resolve(job, decision.accept());
        log.info("agent accepted job {} as '{}'", job.getId(), accept.identity());
        return execute(consoleJob.launch(job, accept, url, now));
    }

    /**
     * SIGINT: the first asks the job to shut down gracefully (the run then ends with the job's own
     * result); the second stops waiting for it. Before the job is launched, the first one aborts.
     */
    public void interrupt(String why) {
        int n = interrupts.incrementAndGet();
        Runnable t = terminate;
        if (n == 1 && t != null) {
            log.info("{}: shutting the job down (again to stop at once)", why);
            t.run();
        } else {
            log.warn("{}: stopping now", why);
            result.complete(new Result(Kind.ABORTED, "", why + " before the job finished"));
        }
    }

    private ConsoleRequest.Decision decide(LivekitAgent.Job job) throws InterruptedException, Undecided {
        ConsoleRequest request = new ConsoleRequest(JobInfos.fromProto(job));
        Thread thread = new Thread(() -> {
            try {
                agent.agent().onRequest(request);
                if (!request.decision().isDone()) {
                    request.decision().completeExceptionally(
                            new Undecided("onRequest returned without accepting or rejecting the job"));
                }
            } catch (Throwable t) {
                request.decision().completeExceptionally(new Undecided("onRequest threw " + t));
            }
        }, "lk-console-request");
        thread.setDaemon(true);
        thread.start();
        long timeout = config.requestTimeout().toMillis();
        try {
            return request.decision().get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Undecided("onRequest did not decide within " + timeout + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Undecided u ? u : new Undecided("onRequest failed: " + e.getCause());
        }
    }

    /** The worker's defaults: identity agent-&lt;job id&gt;, the agent-name attribute added. */
    private static AcceptArguments resolve(LivekitAgent.Job job, AcceptOptions options) {
        String identity = options.identity().isBlank() ? "agent-" + job.getId() : options.identity();
        Map<String, String> attributes = new HashMap<>(options.attributes());
        attributes.put(ConsoleJob.AGENT_NAME_ATTRIBUTE, job.getAgentName());
        return new AcceptArguments(identity, options.name(), options.metadata(), attributes);
    }

    private Result execute(JobLaunch launch) throws InterruptedException {
        EventLoop loop = new EventLoop(Clock.system());
        JobExecutor executor;
        try {
            executor = executors.create(config, agent, loop, WorkerMetrics.NONE);
        } catch (Exception e) {
            loop.close();
            return new Result(Kind.FAILED, launch.jobId(), "cannot start the job executor: " + e.getMessage());
        }
        String jobId = launch.jobId();
        loop.start("lk-console-loop");
        try {
            terminate = () -> loop.execute(() -> executor.terminate(jobId, "console interrupted"));
            loop.execute(() -> {
                executor.start();
                executor.launch(launch, new JobEvents() {
                    @Override
                    public void onRunning(String id, long pid) {
                        log.info("job {} running (pid {})", id, pid);
                    }

                    @Override
                    public void onEnded(String id, JobOutcome outcome) {
                        result.complete(outcome.success() ? new Result(Kind.SUCCEEDED, id, "")
                                : new Result(Kind.FAILED, id, outcome.error()));
                    }
                });
            });
            Result r = result.get();
            if (r.kind() != Kind.ABORTED) {
                close(loop, executor);
            }
            return r.jobId().isEmpty() ? new Result(r.kind(), jobId, r.detail()) : r;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            loop.stop();
            loop.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            loop.close();
        }
    }

    /** Lets the executor release what it holds (threads, a child JVM) before the loop stops. */
    private static void close(EventLoop loop, JobExecutor executor) throws InterruptedException {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        loop.execute(() -> executor.close("console finished", () -> closed.complete(null)));
        try {
            closed.get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the job executor did not close within {} ms", CLOSE_WAIT_MILLIS);
        }
    }

    /** onRequest made no usable decision. */
    private static final class Undecided extends Exception {
        Undecided(String message) {
            super(message, null, false, false);
        }
    }
}
