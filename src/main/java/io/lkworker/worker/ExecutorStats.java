package io.lkworker.worker;

/**
 * A snapshot of executor capacity.
 *
 * @param idle warm processes ready for a job
 * @param starting processes being started or prewarmed
 * @param running jobs running
 */
public record ExecutorStats(int idle, int starting, int running) {
}
