package io.lkworker.loop;

/**
 * The source of time for everything the event loop schedules. Production uses {@link #system()};
 * tests drive timers with a manual clock instead of sleeping.
 */
public interface Clock {

    /** Monotonic time in nanoseconds, for deadlines and intervals. */
    long nanos();

    /** Wall-clock time in Unix milliseconds, for timestamps on the wire and in logs. */
    long wallMillis();

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
