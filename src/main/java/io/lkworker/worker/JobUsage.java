package io.lkworker.worker;

/**
 * What one running job costs right now, as {@code /worker} shows it. A null component is unknown
 * (not measured yet, not measurable by this executor, or not sent by the job) — never a stand-in 0.
 *
 * @param cpuPercent CPU over the last few seconds, in % of one core (may exceed 100 on several cores)
 * @param rssBytes resident memory of the job's process
 * @param pssBytes proportional set size: resident memory with each shared page divided among the
 *                 processes sharing it ({@code /proc/PID/smaps_rollup}); sums to the machine's use
 * @param participants remote participants in the job's room (null before {@code ctx.connect()})
 * @param tracks tracks those participants publish (null before {@code ctx.connect()})
 */
public record JobUsage(Double cpuPercent, Long rssBytes, Long pssBytes, Integer participants, Integer tracks) {

    /** Nothing known. */
    public static final JobUsage UNKNOWN = new JobUsage(null, null, null, null, null);

    public JobUsage withRoom(int newParticipants, int newTracks) {
        return new JobUsage(cpuPercent, rssBytes, pssBytes, newParticipants, newTracks);
    }
}
