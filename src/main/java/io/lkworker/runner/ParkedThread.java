package io.lkworker.runner;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread started ahead of time (at the end of a child's prewarm) and parked until it is given its
 * one task. On a job's start path, handing work to it is an unpark (one futex wake) instead of
 * {@code Thread.start} (creating an OS thread and its stack); see benchmarks/results.md. Single use.
 */
final class ParkedThread implements Executor {

    private final Thread thread;
    private final AtomicBoolean used = new AtomicBoolean();
    private volatile Runnable task;

    /** Starts the thread now; it inherits the caller's context class loader, as a new thread would. */
    ParkedThread(String name) {
        thread = new Thread(this::awaitTask, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitTask() {
        Runnable t;
        while ((t = task) == null) {
            LockSupport.park(this);
            // Nobody holds this thread before it has a task, so an interrupt cannot be meant for the
            // task: clear it, or park would return at once forever.
            Thread.interrupted();
        }
        t.run();
    }

    /** Runs {@code command} on the parked thread. At most once. */
    @Override
    public void execute(Runnable command) {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("a parked thread runs one task");
        }
        task = command;
        LockSupport.unpark(thread);
    }

    Thread thread() {
        return thread;
    }
}
