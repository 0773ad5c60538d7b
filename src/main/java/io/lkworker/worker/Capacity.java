package io.lkworker.worker;

/**
 * Decides whether the worker can take another job. Pure: the worker passes in what it knows.
 *
 * <p>The <em>effective load</em> counts jobs that were offered or accepted but are not running yet
 * (reserved slots), each at the current per-job load, so two requests that arrive inside one load
 * sampling window cannot both slip under the threshold (the reference worker's issue #4884). Before
 * any job runs there is no per-job figure, so each reservation is charged {@code threshold / idle}.
 *
 * @param loadThreshold WS_FULL at or above this effective load; +Infinity disables the check
 * @param maxJobs hard cap on running + reserved jobs; 0 = no cap
 * @param idleProcesses the configured warm pool size (for the per-job estimate before any job ran)
 */
public record Capacity(double loadThreshold, int maxJobs, int idleProcesses) {

    /** Load clamped to [0, 1]: the server weights workers by {@code 1 - load}. */
    public static double clamp(double load) {
        if (Double.isNaN(load) || load < 0) {
            return 0;
        }
        return Math.min(1, load);
    }

    public double effectiveLoad(double load, int runningJobs, int reservedSlots) {
        double l = clamp(load);
        if (reservedSlots == 0) {
            return l;
        }
        double perJob;
        if (runningJobs > 0) {
            perJob = l / runningJobs;
        } else if (Double.isInfinite(loadThreshold)) {
            perJob = 0;
        } else {
            perJob = loadThreshold / Math.max(idleProcesses, 1);
        }
        return l + reservedSlots * perJob;
    }

    /** True when one more job may be reserved. */
    public boolean canTakeJob(double load, int runningJobs, int reservedSlots) {
        if (maxJobs > 0 && runningJobs + reservedSlots >= maxJobs) {
            return false;
        }
        return Double.isInfinite(loadThreshold) || effectiveLoad(load, runningJobs, reservedSlots) < loadThreshold;
    }

    /**
     * How many warm idle processes are worth keeping: none while full, at most the free
     * {@code maxJobs} slots, and at most what the load headroom fits at the current per-job load (the
     * reference worker's rule), so the pool never warms processes the worker could not use.
     */
    public int idleTarget(double load, int runningJobs, int reservedSlots) {
        if (isFull(load, runningJobs, reservedSlots)) {
            return 0;
        }
        int target = idleProcesses;
        if (maxJobs > 0) {
            target = Math.min(target, Math.max(0, maxJobs - runningJobs - reservedSlots));
        }
        double l = clamp(load);
        if (!Double.isInfinite(loadThreshold) && runningJobs > 0 && l > 0) {
            double perJob = l / runningJobs;
            target = Math.min(target, (int) Math.ceil(Math.max(0, loadThreshold - l) / perJob));
        }
        return target;
    }

    /** True when the worker should report WS_FULL. */
    public boolean isFull(double load, int runningJobs, int reservedSlots) {
        return !canTakeJob(load, runningJobs, reservedSlots);
    }
}
