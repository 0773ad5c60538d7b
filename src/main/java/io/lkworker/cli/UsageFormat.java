package io.lkworker.cli;

import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How {@code lk-worker status} writes a job's figures for people; an unknown figure is "-". */
final class UsageFormat {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private UsageFormat() {
    }

    /** {@code 84.2 MiB}: binary units, one decimal from KiB up. */
    static String bytes(Double bytes) {
        if (bytes == null || bytes < 0) {
            return "-";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", v) : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }

    /** {@code 12.5}: % of one core, one decimal. */
    static String percent(Double percent) {
        return percent == null ? "-" : String.format(Locale.ROOT, "%.1f", percent);
    }

    /** {@code 42s}, {@code 3m05s}, {@code 2h07m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60);
    }

    /**
     * A job's age: {@code age_seconds} as the daemon sent it, else (an older daemon) from its
     * {@code started_at} and {@code nowMillis}; "-" when neither is readable.
     */
    static String age(JsonObject job, long nowMillis) {
        Double sent = WorkerStatusView.number(job, "age_seconds");
        if (sent != null) {
            return duration(Math.max(0, sent.longValue()));
        }
        String started = WorkerStatusView.text(job, "started_at", "");
        if (started.isEmpty()) {
            return "-";
        }
        try {
            return duration(Math.max(0, (nowMillis - Instant.parse(started).toEpochMilli()) / 1000));
        } catch (DateTimeParseException e) {
            return "-";
        }
    }
}
