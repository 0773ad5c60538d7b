package io.lkworker.pool;

/**
 * One reading of a child process, taken on the sampler thread.
 *
 * @param nanos monotonic time of the reading (the loop's clock)
 * @param cpuTicks cumulative utime + stime in USER_HZ ticks, -1 if unreadable
 * @param rssBytes resident memory, -1 if unreadable
 * @param pssBytes proportional memory, -1 if unreadable (no smaps_rollup: kernel before 4.14, not Linux)
 */
record ProcSample(long nanos, long cpuTicks, long rssBytes, long pssBytes) {
}
