package io.lkworker.webrtc;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one thread that owns a room's state (a client session, or a room of the embedded server):
 * libwebrtc callbacks, signalling messages and timers are handed to it, and callers on other threads
 * run steps on it with {@link #call}. Work handed to it after {@link #shutdown} is dropped (libwebrtc
 * may still call back while a connection closes); a task that throws is logged and the thread goes
 * on. Log lines on it carry the MDC of whoever created it (a job's id and room).
 */
public final class OwnerThread {

    private static final Logger log = LoggerFactory.getLogger(OwnerThread.class);

    private final String name;
    private final ScheduledThreadPoolExecutor thread;
    private final Executor executor;

    public OwnerThread(String name) {
        this.name = name;
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(() -> {
                if (mdc != null) {
                    MDC.setContextMap(mdc);
                }
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        this.executor = task -> {
            try {
                thread.execute(() -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.error("{}: task failed", name, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                // over: late callbacks are dropped
            }
        };
    }

    /** Runs tasks on the owner thread, in order; drops them once it is shut down. */
    public Executor executor() {
        return executor;
    }

    public boolean isCurrent() {
        return Thread.currentThread().getName().equals(name);
    }

    /**
     * Runs {@code task} on the owner thread and returns its result (or throws what it threw). Not from
     * the owner thread itself.
     *
     * @throws RejectedExecutionException if the thread was shut down
     */
    public <T> T call(Callable<T> task) throws InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Runs {@code task} on the owner thread after {@code delayMillis}. */
    public ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return thread.schedule(() -> executor.execute(task), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code periodMillis} on the owner thread; a failure is logged, not fatal. */
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long periodMillis) {
        return thread.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{}: periodic task failed", name, e);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Work already queued still runs; work handed over afterwards is dropped. */
    public void shutdown() {
        thread.shutdown();
    }

    public String name() {
        return name;
    }
}
