package io.lkworker.loop;

/**
 * Proof that the event loop still turns: a loop timer stamps the time every period, and any thread
 * can ask how long ago the last stamp was. The health server turns {@code /} unhealthy when the loop
 * has been silent too long, so a wedged loop is restarted by its liveness probe instead of being
 * reported healthy from an old snapshot.
 */
public final class Heartbeat {

    private final Clock clock;
    private volatile long lastNanos;

    private Heartbeat(Clock clock) {
        this.clock = clock;
        this.lastNanos = clock.nanos();
    }

    /** Beats every {@code periodMillis} on {@code loop}. Safe from any thread. */
    public static Heartbeat start(EventLoop loop, long periodMillis) {
        Heartbeat heartbeat = new Heartbeat(loop.clock());
        loop.scheduleAtFixedRate(0, periodMillis, heartbeat::beat);
        return heartbeat;
    }

    private void beat() {
        lastNanos = clock.nanos();
    }

    /** Milliseconds since the loop last beat. Any thread. */
    public long silentMillis() {
        return Math.max(0, (clock.nanos() - lastNanos) / 1_000_000);
    }
}
