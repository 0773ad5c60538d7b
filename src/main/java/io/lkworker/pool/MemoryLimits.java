package io.lkworker.pool;

/**
 * Decides what a resident-memory sample of one child means: nothing, a warning, or a kill.
 * Warnings are rate-limited (one per 120 s unless memory grew another 50 MB) so a child that sits
 * just above the warning level does not flood the log. Loop thread only.
 */
final class MemoryLimits {

    enum Verdict { OK, WARN, KILL }

    static final long WARN_COOLDOWN_NANOS = 120_000_000_000L;
    static final long REWARN_GROWTH_BYTES = 50L * 1024 * 1024;
    private static final long MB = 1024 * 1024;

    private final long warnBytes;
    private final long limitBytes;
    private long lastWarnNanos;
    private long lastWarnBytes = -1;

    MemoryLimits(long warnMb, long limitMb) {
        this.warnBytes = warnMb * MB;
        this.limitBytes = limitMb * MB;
    }

    boolean enabled() {
        return warnBytes > 0 || limitBytes > 0;
    }

    Verdict observe(long rssBytes, long nowNanos) {
        if (limitBytes > 0 && rssBytes > limitBytes) {
            return Verdict.KILL;
        }
        if (warnBytes > 0 && rssBytes > warnBytes) {
            boolean first = lastWarnBytes < 0;
            if (first || nowNanos - lastWarnNanos >= WARN_COOLDOWN_NANOS
                    || rssBytes - lastWarnBytes >= REWARN_GROWTH_BYTES) {
                lastWarnNanos = nowNanos;
                lastWarnBytes = rssBytes;
                return Verdict.WARN;
            }
        }
        return Verdict.OK;
    }

    long warnMb() {
        return warnBytes / MB;
    }

    long limitMb() {
        return limitBytes / MB;
    }
}
