package io.lkworker.loop;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns all mutable worker state.
 *
 * <p>One turn: select on the registered channels until the nearest timer is due (or another thread
 * wakes us), handle ready channels, run queued tasks, run due timers. Other threads never touch
 * worker state; they call {@link #execute} and the task runs here. A task that throws is logged and
 * the loop goes on.
 *
 * <p>Time comes from the injected {@link Clock}. With a manual clock, tests call {@link #runPending()}
 * from their own thread instead of {@link #start()}, so timers fire exactly when the clock says.
 */
public final class EventLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    private final Clock clock;
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Loop thread only. */
    private final PriorityQueue<ScheduledTask> timers = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    /** Set by foreign threads before waking the selector, so we wake it once per turn, not per task. */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Thread thread;

    public EventLoop(Clock clock) {
        this.clock = clock;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector", e);
        }
    }

    public Clock clock() {
        return clock;
    }

    /** Starts the loop on a new thread named {@code name}. */
    public EventLoop start(String name) {
        Thread t = new Thread(this::run, name);
        t.setDaemon(false);
        thread = t;
        t.start();
        return this;
    }

    /** Makes the calling thread the loop thread without starting one (tests with a manual clock). */
    public void adoptCurrentThread() {
        thread = Thread.currentThread();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Queues a task to run on the loop thread. Safe from any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} after {@code delayMillis}. Safe from any thread; the task runs on the loop. */
    public Timer schedule(long delayMillis, Runnable task) {
        ScheduledTask timer = new ScheduledTask(clock.nanos() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMillis)),
                sequence.incrementAndGet(), task);
        if (inLoop()) {
            timers.add(timer);
        } else {
            execute(() -> timers.add(timer));
        }
        return timer;
    }

    /** Runs {@code task} every {@code periodMillis}, first after {@code initialDelayMillis}. */
    public Timer scheduleAtFixedRate(long initialDelayMillis, long periodMillis, Runnable task) {
        PeriodicTimer periodic = new PeriodicTimer(periodMillis, task);
        periodic.current = schedule(initialDelayMillis, periodic::fire);
        return periodic;
    }

    /** Registers a channel with the loop's selector. Loop thread only. */
    public SelectionKey register(SelectableChannel channel, int ops, ChannelHandler handler)
            throws ClosedChannelException {
        assert inLoop() : "register() outside the loop thread";
        return channel.register(selector, ops, handler);
    }

    /** Asks the loop to finish its current turn and stop. Safe from any thread. */
    public void stop() {
        stopRequested.set(true);
        selector.wakeup();
    }

    /** Waits until the loop thread has stopped. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    private void run() {
        try {
            while (!stopRequested.get()) {
                turn(true);
            }
        } finally {
            terminated.countDown();
        }
    }

    /** Runs one turn without blocking: ready channels, queued tasks, timers due by the clock. */
    public void runPending() {
        assert inLoop() : "runPending() outside the loop thread";
        turn(false);
    }

    private void turn(boolean mayBlock) {
        try {
            long waitMillis = mayBlock ? millisUntilNextTimer() : -1;
            if (waitMillis < 0 || !tasks.isEmpty()) {
                selector.selectNow();
            } else {
                selector.select(waitMillis); // 0 = until woken
            }
            wakeupPending.set(false);
            handleReadyChannels();
        } catch (IOException | RuntimeException e) {
            log.error("selector failed; continuing", e);
        }
        runTasks();
        runDueTimers();
    }

    /** -1: something is due now; 0: no timer (block until woken); else millis to the next timer. */
    private long millisUntilNextTimer() {
        ScheduledTask next = peekLiveTimer();
        if (next == null) {
            return 0;
        }
        long nanos = next.deadlineNanos - clock.nanos();
        if (nanos <= 0) {
            return -1;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    private ScheduledTask peekLiveTimer() {
        ScheduledTask next = timers.peek();
        while (next != null && next.isCancelled()) {
            timers.poll();
            next = timers.peek();
        }
        return next;
    }

    private void handleReadyChannels() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
                continue;
            }
            ChannelHandler handler = (ChannelHandler) key.attachment();
            try {
                handler.onReady(key);
            } catch (Throwable t) {
                log.error("channel handler failed; closing its channel", t);
                key.cancel();
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // already failing; the handler's owner sees the closed channel
                }
            }
        }
    }

    private void runTasks() {
        // Bound the batch so that tasks queued by tasks do not starve timers and channels.
        int budget = tasks.size();
        Runnable task;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            safeRun(task);
        }
        if (!tasks.isEmpty()) {
            selector.wakeup();
        }
    }

    private void runDueTimers() {
        long now = clock.nanos();
        ScheduledTask next;
        while ((next = peekLiveTimer()) != null && next.deadlineNanos <= now) {
            timers.poll();
            safeRun(next.task);
        }
    }

    private static void safeRun(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            log.error("a loop task failed; the loop goes on", t);
        }
    }

    @Override
    public void close() {
        stop();
        try {
            if (thread != null && thread != Thread.currentThread()) {
                awaitTermination(5, TimeUnit.SECONDS);
            }
            selector.close();
        } catch (IOException e) {
            log.debug("selector close failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class ScheduledTask implements Timer, Comparable<ScheduledTask> {
        final long deadlineNanos;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        ScheduledTask(long deadlineNanos, long seq, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public int compareTo(ScheduledTask o) {
            int c = Long.compare(deadlineNanos, o.deadlineNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final class PeriodicTimer implements Timer {
        final long periodMillis;
        final Runnable task;
        volatile Timer current;
        volatile boolean cancelled;

        PeriodicTimer(long periodMillis, Runnable task) {
            this.periodMillis = periodMillis;
            this.task = task;
        }

        void fire() {
            if (cancelled) {
                return;
            }
            // Reschedule first so a failing task does not stop the period.
            current = schedule(periodMillis, this::fire);
            task.run();
        }

        @Override
        public void cancel() {
            cancelled = true;
            Timer c = current;
            if (c != null) {
                c.cancel();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
