package io.lkworker.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Puts a bounded queue and a thread of its own between the loggers and the appenders it wraps (the
 * console), so that logging never waits for standard output: a stalled pipe or a slow journald must
 * not stall the event loop (design §2). When the queue is full a record is dropped, never waited
 * for; drops are counted ({@link #droppedTotal()}, exposed as
 * {@code lkworker_log_records_dropped_total} on {@code /metrics}) and, once the queue has room
 * again, reported in the log itself by one WARN line with the number lost.
 *
 * <p>Unlike logback's {@code AsyncAppender} with {@code neverBlock}, which drops silently, this one
 * knows whether each record got in. {@link #flush} waits until every record accepted before the call
 * has been written (tests); {@link #stop} (at exit) writes what is queued, for at most
 * {@link #getMaxFlushTime()} ms.
 */
public final class BoundedAsyncAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
        implements AppenderAttachable<ILoggingEvent> {

    /** Records dropped by every instance in this JVM (a reconfiguration makes a new instance). */
    private static final LongAdder DROPPED_TOTAL = new LongAdder();

    /** 8192 records is seconds of the busiest logging we do; more backlog means stdout is stuck. */
    public static final int DEFAULT_QUEUE_SIZE = 8192;
    /** At exit, how long queued records may take to reach stdout before the rest is abandoned. */
    public static final int DEFAULT_MAX_FLUSH_MILLIS = 2000;

    /** Queued by {@link #stop} behind the last record: the worker ends when it reaches it. */
    private static final ILoggingEvent END = new LoggingEvent();

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private int queueSize = DEFAULT_QUEUE_SIZE;
    private int maxFlushTime = DEFAULT_MAX_FLUSH_MILLIS;
    private BlockingQueue<ILoggingEvent> queue;
    private Thread worker;
    /** Drops not yet reported in the log (the worker thread reports and resets them). */
    private final AtomicLong unreported = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    /** Records the worker has finished with; guarded by {@code progress}. */
    private long written;
    private final Object progress = new Object();

    /** Records dropped because a queue was full, since this JVM started. */
    public static long droppedTotal() {
        return DROPPED_TOTAL.sum();
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public int getQueueSize() {
        return queueSize;
    }

    public void setMaxFlushTime(int millis) {
        this.maxFlushTime = millis;
    }

    public int getMaxFlushTime() {
        return maxFlushTime;
    }

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        if (queueSize < 1) {
            addError("queueSize must be at least 1, got " + queueSize);
            return;
        }
        if (!appenders.iteratorForAppenders().hasNext()) {
            addError("no appender attached to " + getName() + ": add an <appender-ref>");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueSize);
        worker = new Thread(this::drain, "lk-log-" + getName());
        worker.setDaemon(true);
        super.start();
        worker.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // What the event refers to (MDC, formatted message, thread name) is copied now, on the caller's thread.
        event.prepareForDeferredProcessing();
        if (queue.offer(event)) {
            accepted.incrementAndGet();
        } else {
            DROPPED_TOTAL.increment();
            unreported.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                ILoggingEvent event = queue.take();
                if (event == END) {
                    return;
                }
                write(event);
            }
        } catch (InterruptedException e) {
            // stop() gave up waiting: what is left stays unwritten
        }
    }

    private void write(ILoggingEvent event) {
        try {
            appenders.appendLoopOnAppenders(event);
            long lost = unreported.getAndSet(0);
            if (lost > 0) {
                appenders.appendLoopOnAppenders(dropReport(lost));
            }
        } finally {
            synchronized (progress) {
                written++;
                progress.notifyAll();
            }
        }
    }

    private ILoggingEvent dropReport(long lost) {
        Logger logger = ((LoggerContext) getContext()).getLogger(BoundedAsyncAppender.class);
        LoggingEvent report = new LoggingEvent(BoundedAsyncAppender.class.getName(), logger, Level.WARN,
                "{} log {} dropped: the log queue ({} records) was full because standard output was not read fast enough",
                null, new Object[] {lost, lost == 1 ? "record" : "records", queueSize});
        report.prepareForDeferredProcessing();
        return report;
    }

    /**
     * Waits until every record accepted before this call has been written, or {@code timeoutMillis}
     * has passed; true when written.
     */
    public boolean flush(long timeoutMillis) throws InterruptedException {
        long target = accepted.get();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (progress) {
            while (written < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || worker == null || !worker.isAlive()) {
                    return written >= target;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
        return true;
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop(); // no new records; the worker writes what is queued, then reaches END
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxFlushTime);
        try {
            boolean ended = queue.offer(END, maxFlushTime, TimeUnit.MILLISECONDS);
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (!ended || worker.isAlive()) {
                worker.interrupt();
                addWarn(queue.size() + " log records not written: standard output did not take them within "
                        + maxFlushTime + " ms");
            }
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
        }
        appenders.detachAndStopAllAppenders();
    }

    // ---- AppenderAttachable: the wrapped appenders ----

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
