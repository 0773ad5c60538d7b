package io.lkworker.worker;

/**
 * What a job cost over its life, reported with its end and observed into the per-job histograms of
 * {@code /metrics}. A null component was not measured (see {@link JobUsage}).
 *
 * @param cpuSeconds CPU time (user + system) the job's process, or thread, used from the job's start to its end
 * @param peakRssBytes the highest resident memory sampled while the job ran (RSS, not PSS: it is what
 *                     {@code --job-memory-limit-mb} compares, so the histogram tells where to set the limit)
 */
public record JobCost(Double cpuSeconds, Long peakRssBytes) {

    public static final JobCost UNKNOWN = new JobCost(null, null);
}
