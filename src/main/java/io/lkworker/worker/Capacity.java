package io.lkworker.worker;

/**
 * Decides whether the worker can take another job. Pure: the worker passes in what it knows.
 *
 * <p>The <em>load</em> is the machine's (or container's) CPU use without the worker's pool warm-up
 * ({@link io.lkworker.load.LoadMonitor}). The <em>effective load</em> adds the jobs that were offered
 * or accepted but are not running yet (reserved slots), each at the measured CPU share of one
 * running job, so two requests that arrive inside one load sampling window cannot both slip under the
 * threshold when jobs are known to be heavy (livekit/agents issue #4884). Until a job has
 * been measured a reservation costs nothing: charging a guess (it was {@code threshold / idle}) made
 * a worker with free slots report itself full to the second of two concurrent offers.
 *
 * <p>A job that has just started is not in the sampled load yet: the load is a 2.5 s moving average,
 * so a new job's CPU enters it over one window. The worker therefore passes its running jobs'
 * <em>unsampled</em> part (1 at launch, falling linearly to 0 one window later), charged like a
 * reservation; without it a second offer a few hundred milliseconds after the first was judged on a
 * load that did not show the first job yet.
 *
 * @param loadThreshold WS_FULL at or above this effective load; +Infinity disables the check
 * @param maxJobs hard cap on running + reserved jobs; 0 = no cap
 * @param idleProcesses the configured warm pool size
 */
public record Capacity(double loadThreshold, int maxJobs, int idleProcesses) {

    /** Load clamped to [0, 1]: the server weights workers by {@code 1 - load}. */
    public static double clamp(double load) {
        if (Double.isNaN(load) || load < 0) {
            return 0;
        }
        return Math.min(1, load);
    }

    /** {@code perJobLoad}: the CPU share of one running job as measured, NaN (or ≤ 0) when not known. */
    public double effectiveLoad(double load, double perJobLoad, double chargedJobs) {
        return clamp(load) + charge(perJobLoad, chargedJobs);
    }

    /**
     * The predictive part: {@code chargedJobs × perJobLoad}, capped at the threshold less one job's
     * cost. So the prediction alone can make the worker full only when the measured load is at least
     * what one job costs: a machine whose measured load is below one job's cost is never "full" on
     * predictions (issue 17: {@code effective load 0.73 (load 0.03 + 5.9 × 0.12 per job)} declined two
     * of a burst of 20 on an idle machine). Above that the charge still stops two offers in one load
     * window from both slipping under the threshold (livekit/agents issue #4884).
     */
    double charge(double perJobLoad, double chargedJobs) {
        double perJob = known(perJobLoad);
        double charge = Math.max(0, chargedJobs) * perJob;
        return Double.isInfinite(loadThreshold) ? charge : Math.min(charge, chargeCap(perJob));
    }

    private double chargeCap(double perJob) {
        return Math.max(0, loadThreshold - perJob);
    }

    /**
     * True when one more job may be reserved. {@code unsampledJobs}: the part of the running jobs the
     * sampled load does not show yet (0 to 1 each).
     */
    public boolean canTakeJob(double load, double perJobLoad, int runningJobs, int reservedSlots, double unsampledJobs) {
        if (maxJobs > 0 && runningJobs + reservedSlots >= maxJobs) {
            return false;
        }
        return Double.isInfinite(loadThreshold)
                || effectiveLoad(load, perJobLoad, reservedSlots + unsampledJobs) < loadThreshold;
    }

    /** True when the worker should report WS_FULL. */
    public boolean isFull(double load, double perJobLoad, int runningJobs, int reservedSlots, double unsampledJobs) {
        return !canTakeJob(load, perJobLoad, runningJobs, reservedSlots, unsampledJobs);
    }

    /** What decided the answer, for the line logged when availability flips: the load and threshold, or the job cap. */
    public String explain(double load, double perJobLoad, int runningJobs, int reservedSlots, double unsampledJobs) {
        String unsampled = unsampledJobs >= 0.05
                ? String.format("; %.1f of the running jobs not in the load yet", unsampledJobs) : "";
        String jobs = runningJobs + " running + " + reservedSlots + " reserved";
        String cap = maxJobs > 0 ? " of --max-jobs " + maxJobs : " (no --max-jobs)";
        String threshold = Double.isInfinite(loadThreshold) ? "inf" : String.format("%.2f", loadThreshold);
        double charged = reservedSlots + (unsampledJobs >= 0.05 ? unsampledJobs : 0);
        String count = charged == Math.rint(charged) ? String.valueOf((long) charged) : String.format("%.1f", charged);
        double uncapped = Math.max(0, reservedSlots + unsampledJobs) * known(perJobLoad);
        String capped = uncapped > charge(perJobLoad, reservedSlots + unsampledJobs) + 1e-9
                ? String.format(", capped at %.2f", chargeCap(known(perJobLoad))) : "";
        String perJob = known(perJobLoad) > 0 ? String.format(" + %s × %.2f per job%s", count, perJobLoad, capped) : "";
        return String.format("effective load %.2f (load %.2f%s), threshold %s; %s jobs%s%s",
                effectiveLoad(load, perJobLoad, reservedSlots + unsampledJobs), clamp(load), perJob, threshold, jobs, cap,
                unsampled);
    }

    /**
     * How many warm idle processes are worth keeping: none while full, at most the free
     * {@code maxJobs} slots, and at most what the load headroom fits at the measured per-job load (the
     * rule of livekit/agents {@code worker.py} {@code _load_task}), so the pool never warms processes the worker
     * could not use.
     * {@code wanted} is the size asked for (the configured floor, or more under a burst).
     */
    public int idleTarget(int wanted, double load, double perJobLoad, int runningJobs, int reservedSlots,
                          double unsampledJobs) {
        if (isFull(load, perJobLoad, runningJobs, reservedSlots, unsampledJobs)) {
            return 0;
        }
        int target = wanted;
        if (maxJobs > 0) {
            target = Math.min(target, Math.max(0, maxJobs - runningJobs - reservedSlots));
        }
        double perJob = known(perJobLoad);
        if (!Double.isInfinite(loadThreshold) && perJob > 0) {
            double headroom = loadThreshold - effectiveLoad(load, perJobLoad, reservedSlots + unsampledJobs);
            target = Math.min(target, (int) Math.ceil(Math.max(0, headroom) / perJob));
        }
        return target;
    }

    private static double known(double perJobLoad) {
        return Double.isNaN(perJobLoad) || perJobLoad <= 0 || Double.isInfinite(perJobLoad) ? 0 : perJobLoad;
    }
}
