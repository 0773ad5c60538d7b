package io.lkworker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process checks for tests (Linux /proc). */
public final class Procs {

    private Procs() {
    }

    /**
     * Whether {@code pid} is a live process. A zombie is not: it has exited and only waits for a
     * parent to reap it (an orphan's new parent in a container may never do so).
     */
    public static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /** Sends {@code signal} (e.g. "STOP") to {@code pid} with kill(1); true if it was delivered. */
    public static boolean signal(long pid, String signal) throws IOException, InterruptedException {
        return new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor() == 0;
    }
}
