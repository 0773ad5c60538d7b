package io.lkworker.pool;

import io.lkworker.load.CpuLoadMonitor;
import io.lkworker.load.CpuWindow;
import io.lkworker.worker.JobCost;
import io.lkworker.worker.JobUsage;

/**
 * What one child process costs, from the sampler's readings and the room counts its job reports:
 * the live figures of {@code /worker} ({@link #usage}) and, at the job's end, its totals
 * ({@link #cost}). Owned by its {@link ChildProcess}; loop thread only.
 */
final class ChildUsage {

    /**
     * The CPU % is averaged over the samples of the last 5 s (two 2 s intervals at the default
     * interval): long enough to smooth a burst, short enough to follow a job that changes pace.
     */
    static final long CPU_WINDOW_NANOS = 5_000_000_000L;

    private final CpuWindow cpu = new CpuWindow(CPU_WINDOW_NANOS);
    private long rssBytes = -1;
    private long pssBytes = -1;
    private long peakRssBytes = -1;
    /** The newest readable CPU ticks: the end of a job whose process is already gone. */
    private long lastTicks = -1;
    /** CPU ticks of the process when its job started; -1 before a job or when unreadable. */
    private long ticksAtJobStart = -1;
    private boolean hasJob;
    private Integer participants;
    private Integer tracks;

    /** A sampler reading. */
    void onSample(ProcSample sample) {
        if (sample.cpuTicks() >= 0) {
            lastTicks = sample.cpuTicks();
            cpu.add(sample.nanos(), (long) (sample.cpuTicks() * CpuLoadMonitor.NANOS_PER_TICK));
        }
        rssBytes = sample.rssBytes();
        pssBytes = sample.pssBytes();
        if (hasJob && rssBytes > peakRssBytes) {
            peakRssBytes = rssBytes;
        }
    }

    /** The child was handed its job; {@code ticksNow} is its CPU time now (-1 if unreadable). */
    void jobStarted(long ticksNow) {
        hasJob = true;
        ticksAtJobStart = ticksNow;
        peakRssBytes = rssBytes; // the last reading is where the job started from
    }

    /** The job's room changed (RoomStats from the child). */
    void onRoomStats(int newParticipants, int newTracks) {
        participants = newParticipants;
        tracks = newTracks;
    }

    JobUsage usage() {
        return new JobUsage(cpu.percent(), known(rssBytes), known(pssBytes), participants, tracks);
    }

    /** The job's totals, given the process's CPU ticks at its end (-1 if unreadable). */
    JobCost cost(long ticksAtEnd) {
        if (ticksAtEnd < 0) {
            ticksAtEnd = lastTicks;
        }
        Double cpuSeconds = ticksAtJobStart >= 0 && ticksAtEnd >= ticksAtJobStart
                ? (ticksAtEnd - ticksAtJobStart) * CpuLoadMonitor.NANOS_PER_TICK / 1e9 : null;
        return new JobCost(cpuSeconds, known(peakRssBytes));
    }

    private static Long known(long bytes) {
        return bytes >= 0 ? bytes : null;
    }
}
