package io.lkworker.runner;

import io.lkworker.api.Agent;
import io.lkworker.api.JobInfo;
import io.lkworker.api.JobProcess;
import io.lkworker.api.ShutdownCallback;
import io.lkworker.tracing.ChildTracing;
import io.lkworker.tracing.JobAttributes;
import io.lkworker.tracing.TracedSpan;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one job of an agent: the entrypoint on a thread of its own, then the shutdown sequence.
 * Used both inside a child JVM (process executor) and inside the daemon (thread executor).
 *
 * <p>Rules, in the order they apply:
 * <ol>
 *   <li>The entrypoint returning normally ends the job as succeeded (like {@code main}); an agent
 *       that must live until terminated blocks in {@code ctx.awaitShutdown()}.
 *   <li>An exception from the entrypoint ends the job as failed, with the exception's text; except
 *       the one {@code waitForParticipant} throws when the room closes before anyone came
 *       ({@link RoomClosedWhileWaitingException}), which ends it normally with the room's reason.
 *   <li>A shutdown request (termination, drain, {@code ctx.shutdown}) wakes {@code awaitShutdown};
 *       an entrypoint still running after the grace period is interrupted, and abandoned if it
 *       ignores the interrupt.
 *   <li>Shutdown callbacks run on every path, each receiving the reason, bounded together by the
 *       callback timeout.
 * </ol>
 * The listener is called on this host's own threads; executors hand the events to their loop.
 */
public final class JobHost {

    private static final Logger log = LoggerFactory.getLogger(JobHost.class);
    /** After the interrupt, how long an entrypoint may take to unwind before it is abandoned. */
    private static final long INTERRUPT_UNWIND_MILLIS = 1000;

    /** Lifecycle notifications. Called from host threads, never concurrently for one job. */
    public interface Listener {
        void onEnded(JobResult result);
    }

    /** What the job is: the job, where to join, and as whom. */
    public record Spec(JobInfo job, String url, String token, String workerId, String identity) {
        @Override
        public String toString() {
            return "Spec[job=" + job.id() + ", url=" + url + ", token=<redacted>, workerId=" + workerId
                    + ", identity=" + identity + "]";
        }
    }

    private final Agent agent;
    private final Spec spec;
    private final Duration entrypointGrace;
    private final Duration callbackTimeout;
    private final Listener listener;
    private final HostedJobContext ctx;
    private final Object signal = new Object();
    private final CountDownLatch entrypointDone = new CountDownLatch(1);
    /** Written by the entrypoint thread before {@link #entrypointDone} counts down. */
    private volatile Throwable entrypointFailure;
    private volatile boolean interruptedByHost;
    /** The entrypoint ignored its interrupt and still runs: the job did not end, it was given up on. */
    private volatile boolean abandoned;
    private volatile Thread entryThread;
    /** The entrypoint thread's CPU time, recorded by it as it returns when measured; -1 until then. */
    private volatile long entrypointCpuNanos = -1;
    private volatile boolean measureCpu;

    /**
     * Loaded on first use only: a job process measures itself through /proc from the daemon and
     * should not pay for loading java.management on its warm-start path.
     */
    private static final class Threads {
        static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();
    }
    /** Set before {@link #start}: where the entrypoint's span goes, and the trace it continues. */
    private ChildTracing tracing = ChildTracing.NONE;
    private Map<String, String> traceContext = Map.of();

    public JobHost(Agent agent, Spec spec, JobProcess process, Duration entrypointGrace, Duration callbackTimeout,
                   Listener listener) {
        this.agent = agent;
        this.spec = spec;
        this.entrypointGrace = entrypointGrace;
        this.callbackTimeout = callbackTimeout;
        this.listener = listener;
        this.ctx = new HostedJobContext(spec.job(), spec.url(), spec.token(), spec.workerId(), spec.identity(),
                process, reason -> wake());
    }

    public String jobId() {
        return spec.job().id();
    }

    /**
     * Before {@link #start}: the entrypoint runs in a span of {@code jobTracing}, continuing the trace
     * of {@code context} (W3C headers from the daemon), current on the entrypoint's thread so the
     * agent's own spans nest under it. Returns this host.
     */
    public JobHost traced(ChildTracing jobTracing, Map<String, String> context) {
        this.tracing = jobTracing;
        this.traceContext = Map.copyOf(context);
        return this;
    }

    /**
     * Starts the job; returns at once. The entrypoint's thread is started first and directly (not by
     * the coordinator): one thread hand-off less before the agent's code runs, which is most of a warm
     * job start on a busy machine (benchmarks/results.md).
     */
    public void start() {
        start(() -> { });
    }

    /**
     * As {@link #start()}, running {@code entryStarted} on the calling thread between starting the
     * entrypoint and starting the coordinator, so it happens before the listener can hear of the end.
     */
    public void start(Runnable entryStarted) {
        Thread entry = new Thread(this::runEntrypoint, "job-" + jobId());
        entryThread = entry;
        entry.setDaemon(true);
        Thread coordinator = new Thread(() -> coordinate(entry), "job-" + jobId() + "-host");
        coordinator.setDaemon(true);
        entry.start();
        entryStarted.run();
        coordinator.start();
    }

    /**
     * Reports the room's participant and track counts to {@code sink} once the job joins it (see
     * {@link RoomStatsReporter}). Before {@link #start}.
     */
    public void reportRoomCounts(java.util.function.Consumer<RoomStatsReporter.Counts> sink) {
        ctx.onRoomJoined(room -> RoomStatsReporter.attach(room, sink));
    }

    /** Makes {@link #entrypointCpuNanos} measure (thread executor). Before {@link #start}. */
    public void measureEntrypointCpu() {
        measureCpu = true;
    }

    /**
     * CPU time of the entrypoint's thread so far (all of it once it returned), in ns; -1 before it
     * started, without {@link #measureEntrypointCpu} or where the JVM does not measure thread CPU
     * time. The job's other threads (the room's,
     * its callbacks', its own) are not counted.
     */
    public long entrypointCpuNanos() {
        long done = entrypointCpuNanos;
        if (done >= 0) {
            return done;
        }
        Thread t = entryThread;
        if (!measureCpu || t == null || !Threads.MX.isThreadCpuTimeSupported()) {
            return -1;
        }
        long ns = Threads.MX.getThreadCpuTime(t.getId());
        long after = entrypointCpuNanos; // it may have ended (and recorded its total) meanwhile
        return after >= 0 ? after : ns;
    }

    /** Asks the job to end. Safe from any thread; the first reason wins. */
    public void requestShutdown(String reason) {
        ctx.shutdown(reason);
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** The entrypoint may already have returned when this runs: the wait below checks before it sleeps. */
    private void coordinate(Thread entry) {
        withJobMdc(() -> {
            awaitEntrypointOrShutdown();
            if (entrypointDone.getCount() > 0) {
                stopEntrypoint(entry);
            } else {
                ctx.markEnding(entrypointFailure != null ? "job failed" : "entrypoint returned");
            }
            String reason = ctx.shutdownReason();
            runCallbacks(reason);
            leaveRoom();
            listener.onEnded(result(reason));
        });
    }

    private void awaitEntrypointOrShutdown() {
        synchronized (signal) {
            while (entrypointDone.getCount() > 0 && !ctx.isShuttingDown()) {
                try {
                    signal.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void stopEntrypoint(Thread entry) {
        try {
            if (entrypointDone.await(entrypointGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            log.warn("entrypoint still running {} ms after shutdown was requested; interrupting it",
                    entrypointGrace.toMillis());
            interruptedByHost = true;
            entry.interrupt();
            if (!entrypointDone.await(INTERRUPT_UNWIND_MILLIS, TimeUnit.MILLISECONDS)) {
                log.warn("entrypoint ignored the interrupt; abandoning its thread");
                abandoned = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runEntrypoint() {
        withJobMdc(() -> {
            TracedSpan span = tracing.startEntrypoint(traceContext, spanAttributes());
            ctx.traceUnder(span);
            try (TracedSpan.Scope ignored = span.makeCurrent()) {
                agent.entrypoint(ctx);
                span.end(null);
            } catch (RoomClosedWhileWaitingException closed) {
                // The room ended before anyone came: an ordinary end of the job, with the room's reason
                // (the same one the room's disconnect hands to ctx.shutdown, whichever comes first).
                ctx.shutdown("room disconnected: " + closed.roomReason());
                span.end(null);
                log.info("the room closed ({}) before a participant came; ending the job", closed.roomReason());
            } catch (Throwable t) {
                entrypointFailure = t;
                span.end(describe(t));
                if (!interruptedByHost) {
                    log.error("job entrypoint failed", t);
                }
            } finally {
                // Read here, by the thread itself: once it has ended its CPU time can no longer be asked.
                if (measureCpu && Threads.MX.isCurrentThreadCpuTimeSupported()) {
                    entrypointCpuNanos = Threads.MX.getCurrentThreadCpuTime();
                }
                entrypointDone.countDown();
                wake();
            }
        });
    }

    private Map<String, String> spanAttributes() {
        Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put(JobAttributes.JOB_ID, jobId());
        a.put(JobAttributes.ROOM, spec.job().room().name());
        a.put(JobAttributes.AGENT_NAME, spec.job().agentName());
        a.put(JobAttributes.WORKER_ID, spec.workerId());
        a.put(JobAttributes.DISPATCH_ID, spec.job().dispatchId());
        a.put(JobAttributes.IDENTITY, spec.identity());
        return a;
    }

    private void runCallbacks(String reason) {
        if (ctx.callbacks().isEmpty()) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> withJobMdc(() -> {
            for (ShutdownCallback callback : ctx.callbacks()) {
                try {
                    callback.onShutdown(reason);
                } catch (Throwable e) {
                    log.error("shutdown callback failed", e);
                }
            }
            done.countDown();
        }), "job-" + jobId() + "-shutdown");
        t.setDaemon(true);
        t.start();
        try {
            if (!done.await(callbackTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("shutdown callbacks still running after {} ms; giving up on them", callbackTimeout.toMillis());
                t.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void leaveRoom() {
        try {
            ctx.leaveRoom();
        } catch (RuntimeException e) {
            log.warn("leaving the room failed: {}", e.toString());
        }
    }

    private JobResult result(String reason) {
        Throwable failure = entrypointFailure;
        if (abandoned) {
            // Its end is reported at once and its process may even exit: but it never stopped.
            return new JobResult(false, "entrypoint still running " + (entrypointGrace.toMillis() + INTERRUPT_UNWIND_MILLIS)
                    + " ms after shutdown was requested (ignored its interrupt); abandoned", reason);
        }
        if (failure != null && !interruptedByHost) {
            return new JobResult(false, describe(failure), reason);
        }
        return new JobResult(true, "", reason);
    }

    /** The error text reported to the server: exception class and message, plus the root cause. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getName());
        if (t.getMessage() != null) {
            sb.append(": ").append(t.getMessage());
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t) {
            sb.append(" (caused by ").append(root.getClass().getName());
            if (root.getMessage() != null) {
                sb.append(": ").append(root.getMessage());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private void withJobMdc(Runnable body) {
        MDC.put("job_id", jobId());
        MDC.put("room", spec.job().room().name());
        try {
            body.run();
        } finally {
            MDC.remove("job_id");
            MDC.remove("room");
        }
    }
}
