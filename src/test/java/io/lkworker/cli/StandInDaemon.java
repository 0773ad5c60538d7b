package io.lkworker.cli;

import java.io.IOException;

/**
 * A process that drain and status accept as an lk-worker daemon without starting one: a shell whose
 * command line carries lk-worker's main class ({@link DaemonProcess#isLkWorker}), so it stays alive
 * until signalled. For tests of how operator commands find a daemon, not of what the daemon does.
 */
final class StandInDaemon {

    private StandInDaemon() {
    }

    /** {@code sh -c 'sleep 300; exit 0' io.lkworker.cli.Main}: the trailing word is the shell's $0. */
    static Process spawn() throws IOException {
        // "; exit 0" keeps the shell from exec'ing sleep, which would drop the main class from argv
        return new ProcessBuilder("sh", "-c", "sleep 300; exit 0", DaemonProcess.MAIN_CLASS)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
