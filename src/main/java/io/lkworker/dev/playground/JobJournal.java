package io.lkworker.dev.playground;

import com.google.gson.JsonObject;
import io.lkworker.worker.JobLifecycleListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the playground shows of each job from the daemon's side: its stages (from the worker's
 * {@link JobLifecycleListener}, on the loop thread) and its log lines (from {@link JobLogAppender},
 * on whatever thread logs), kept for the most recent jobs and handed to the event streams of the
 * pages that watch.
 *
 * <p>Thread-safe: one lock guards the jobs and the sequence; adding never blocks (a subscriber whose
 * queue is full is marked overflowed and its stream ends; the page's EventSource reconnects and
 * catches up from the backlog, skipping what it had by sequence number).
 */
public final class JobJournal implements JobLifecycleListener {

    /** Jobs remembered: a developer looks at the last few; older ones are dropped whole. */
    static final int MAX_JOBS = 32;
    /** Lines kept per job: a chatty agent must not grow the daemon without bound. */
    static final int MAX_LINES_PER_JOB = 500;
    /** Entries waiting for one page: a page that falls this far behind is cut off and reconnects. */
    static final int SUBSCRIBER_QUEUE = 2_000;

    /** One stage or log line, as the page receives it. {@code seq} orders all entries of the journal. */
    public record Entry(long seq, String jobId, String room, JsonObject json) {
    }

    /** One watching page: its queue, its room filter (null: every room). */
    public static final class Subscriber {
        private final String room;
        private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(SUBSCRIBER_QUEUE);
        private volatile boolean overflowed;

        private Subscriber(String room) {
            this.room = room;
        }

        public BlockingQueue<Entry> queue() {
            return queue;
        }

        public boolean overflowed() {
            return overflowed;
        }

        boolean wants(Entry e) {
            return room == null || room.equals(e.room());
        }
    }

    private static final class Job {
        String room;
        final List<Entry> stages = new ArrayList<>();
        final ArrayDeque<Entry> lines = new ArrayDeque<>();
    }

    private final Object lock = new Object();
    private final Map<String, Job> jobs = new LinkedHashMap<>(); // insertion order: oldest first
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private long seq;

    @Override
    public void onJobEvent(Event event) {
        JsonObject json = new JsonObject();
        json.addProperty("type", "stage");
        json.addProperty("stage", event.stage().name().toLowerCase());
        json.addProperty("detail", event.detail());
        add(event.jobId(), event.room(), event.wallMillis(), json, false);
    }

    /** A log line carrying the job's id (the daemon's lines about it and the job's own). */
    public void logLine(String jobId, String room, long wallMillis, String level, String logger, String message) {
        JsonObject json = new JsonObject();
        json.addProperty("type", "log");
        json.addProperty("level", level);
        json.addProperty("logger", logger);
        json.addProperty("message", message);
        add(jobId, room, wallMillis, json, true);
    }

    private void add(String jobId, String room, long wallMillis, JsonObject json, boolean line) {
        Entry entry;
        synchronized (lock) {
            Job job = jobs.get(jobId);
            if (job == null) {
                job = new Job();
                jobs.put(jobId, job);
                if (jobs.size() > MAX_JOBS) {
                    Iterator<String> oldest = jobs.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
            if ((job.room == null || job.room.isEmpty()) && room != null && !room.isEmpty()) {
                job.room = room;
            }
            String jobRoom = job.room == null ? "" : job.room;
            json.addProperty("seq", ++seq);
            json.addProperty("jobId", jobId);
            json.addProperty("room", jobRoom);
            json.addProperty("at", wallMillis);
            entry = new Entry(seq, jobId, jobRoom, json);
            if (line) {
                job.lines.addLast(entry);
                if (job.lines.size() > MAX_LINES_PER_JOB) {
                    job.lines.removeFirst();
                }
            } else {
                job.stages.add(entry);
            }
            // under the lock, so that a subscriber never sees an entry both in its backlog and its queue
            for (Subscriber s : subscribers) {
                if (s.wants(entry) && !s.queue.offer(entry)) {
                    s.overflowed = true;
                }
            }
        }
    }

    /**
     * Registers a page: returns what it should show first (the kept entries of its room's jobs, or
     * of all jobs, in sequence order, after {@code afterSeq}); later entries arrive on its queue.
     */
    public List<Entry> subscribe(Subscriber s, long afterSeq) {
        synchronized (lock) {
            List<Entry> backlog = new ArrayList<>();
            for (Job job : jobs.values()) {
                for (Entry e : job.stages) {
                    if (e.seq() > afterSeq && s.wants(e)) {
                        backlog.add(e);
                    }
                }
                for (Entry e : job.lines) {
                    if (e.seq() > afterSeq && s.wants(e)) {
                        backlog.add(e);
                    }
                }
            }
            backlog.sort((a, b) -> Long.compare(a.seq(), b.seq()));
            subscribers.add(s);
            return backlog;
        }
    }

    public static Subscriber newSubscriber(String room) {
        return new Subscriber(room == null || room.isEmpty() ? null : room);
    }

    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    /** Pages watching now (tests). */
    public int subscribers() {
        return subscribers.size();
    }
}
