package io.lkworker.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident (RSS) and proportional (PSS) memory of a process from {@code /proc/PID/smaps_rollup}
 * (Linux 4.14+): one summary of all its mappings, a read of about 1 KB. PSS divides each shared
 * page among the processes mapping it, so the PSS of all job processes adds up to what they cost
 * the machine; their RSS counts the shared JDK and library pages once per process.
 */
final class ProcMemory {

    /** Memory in bytes; -1 for a value that could not be read (unknown, never 0). */
    record Reading(long rssBytes, long pssBytes) {
        static final Reading UNKNOWN = new Reading(-1, -1);

        boolean known() {
            return rssBytes >= 0 || pssBytes >= 0;
        }
    }

    private ProcMemory() {
    }

    /** The reading of {@code pid}, {@link Reading#UNKNOWN} when the process is gone or the file is missing/unreadable. */
    static Reading read(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
    }

    static Reading read(Path smapsRollup) {
        try {
            return parse(Files.readString(smapsRollup, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return Reading.UNKNOWN;
        }
    }

    /**
     * The {@code Rss:} and {@code Pss:} lines ("Rss:   123456 kB"); a missing or malformed line is
     * -1 for that value. Lines such as {@code Pss_Anon:} are not {@code Pss:}.
     */
    static Reading parse(String smapsRollup) {
        long rss = -1;
        long pss = -1;
        for (String line : smapsRollup.split("\n")) {
            if (line.startsWith("Rss:")) {
                rss = kilobytes(line);
            } else if (line.startsWith("Pss:")) {
                pss = kilobytes(line);
            }
        }
        return new Reading(rss, pss);
    }

    private static long kilobytes(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length != 3 || !f[2].equals("kB")) {
            return -1;
        }
        try {
            long kb = Long.parseLong(f[1]);
            return kb < 0 ? -1 : kb * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
