package io.lkworker.runner;

import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells the daemon how many remote participants a job's room has and how many tracks they publish:
 * once after {@code ctx.connect()}, then after a participant or track comes or goes, at most once
 * per {@link #MIN_INTERVAL_MILLIS} (a burst of joins is one report), and only when a count changed.
 * Counts are read from the room when a report is due, never kept per event, so a missed event cannot
 * skew them. The room calls its listeners on its own event thread; reports are made on a shared
 * daemon thread, so a slow sink never stalls the room.
 */
public final class RoomStatsReporter implements RoomListener {

    /** How often, at most, the counts are reported: a person watching /worker sees changes within a second. */
    static final long MIN_INTERVAL_MILLIS = 1000;

    /** One count of the room. */
    public record Counts(int participants, int tracks) { }

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lkw-room-stats");
        t.setDaemon(true);
        return t;
    });

    private final Room room;
    private final Consumer<Counts> sink;
    private final Object lock = new Object();
    /** Guarded by lock. */
    private boolean scheduled;
    private long lastReportMillis = Long.MIN_VALUE / 2;
    private Counts lastReported;
    private boolean stopped;

    private RoomStatsReporter(Room room, Consumer<Counts> sink) {
        this.room = room;
        this.sink = sink;
    }

    /** Starts reporting {@code room}'s counts to {@code sink}; the first report is made at once. */
    public static RoomStatsReporter attach(Room room, Consumer<Counts> sink) {
        RoomStatsReporter reporter = new RoomStatsReporter(room, sink);
        room.addListener(reporter);
        reporter.changed();
        return reporter;
    }

    /** The room's counts now. */
    static Counts count(Map<String, RemoteParticipant> participants) {
        int tracks = 0;
        for (RemoteParticipant p : participants.values()) {
            Map<String, RemoteTrackPublication> published = p.trackPublications();
            tracks += published.size();
        }
        return new Counts(participants.size(), tracks);
    }

    private void changed() {
        long delay;
        synchronized (lock) {
            if (scheduled || stopped) {
                return;
            }
            scheduled = true;
            delay = Math.max(0, lastReportMillis + MIN_INTERVAL_MILLIS - System.currentTimeMillis());
        }
        TIMER.schedule(this::report, delay, TimeUnit.MILLISECONDS);
    }

    /** Sends the counts if they changed since the last report. The timer thread (tests call it directly). */
    void report() {
        Counts now = count(room.remoteParticipants());
        synchronized (lock) {
            scheduled = false;
            lastReportMillis = System.currentTimeMillis();
            if (stopped || now.equals(lastReported)) {
                return;
            }
            lastReported = now;
        }
        try {
            sink.accept(now);
        } catch (RuntimeException e) {
            // the sink is the IPC link or the daemon's loop: nothing useful to do but keep the room running
        }
    }

    @Override
    public void onParticipantConnected(RemoteParticipant participant) {
        changed();
    }

    @Override
    public void onParticipantDisconnected(RemoteParticipant participant) {
        changed();
    }

    @Override
    public void onTrackPublished(RemoteTrackPublication publication, RemoteParticipant participant) {
        changed();
    }

    @Override
    public void onTrackUnpublished(RemoteTrackPublication publication, RemoteParticipant participant) {
        changed();
    }

    @Override
    public void onDisconnected(String reason) {
        synchronized (lock) {
            stopped = true;
        }
    }
}
