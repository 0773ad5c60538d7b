package io.lkworker.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A process that drain and status accept as an lk-worker daemon without starting one: {@code sleep}
 * run under the name {@code lk-worker} (argv[0], which {@link DaemonProcess#isLkWorker} accepts, as
 * for the launcher), so it lives until signalled and leaves nothing behind. For tests of how operator
 * commands find a daemon, not of what the daemon does.
 */
final class StandInDaemon {

    private StandInDaemon() {
    }

    /** Returns once the process runs under its lk-worker name (until bash has exec'd, argv is bash's). */
    static Process spawn() throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "exec -a lk-worker sleep 300")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive()
                || Files.readString(cmdline).startsWith("lk-worker\0"));
        return p;
    }
}
