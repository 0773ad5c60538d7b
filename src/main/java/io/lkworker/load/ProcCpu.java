package io.lkworker.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from {@code /proc/PID/stat} (Linux), in clock ticks (USER_HZ). */
public final class ProcCpu {

    private ProcCpu() {
    }

    /** utime + stime of {@code pid} in ticks, or -1 when it is gone or unreadable. */
    public static long ticks(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Fields 14 and 15 (utime, stime); the command name in parentheses may contain spaces. */
    static long parse(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
