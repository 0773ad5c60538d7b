package io.lkworker.cli;

import io.lkworker.RunFiles;
import io.lkworker.config.ConfigException;
import io.lkworker.config.Durations;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker drain}: asks a running daemon to drain — stop taking jobs, let the running ones
 * finish, exit — by sending it SIGTERM, exactly what an init system does on stop. The target is
 * checked first (alive, and an lk-worker) so a stale pid file never gets another program killed.
 * With {@code --wait} it follows the drain and exits with the daemon's own exit code.
 *
 * <p>A second SIGTERM stops a draining daemon's jobs at once. So a daemon that says (on its health
 * server) it is already draining is not signalled again unless {@code --now} asks for exactly that,
 * and the output says what was done.
 */
@Command(name = "drain", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = {"Tell a running worker to drain: finish its jobs, take no new ones, then exit (sends SIGTERM).",
            "A worker that is already draining is not signalled again: a second SIGTERM stops its jobs at once,",
            "which is what --now does."},
        footer = {"",
            "Exit codes: 0 signalled or already draining (with --wait: the worker's own exit code, 0 when it",
            "drained cleanly, 130 after --now),",
            "1 nothing running, stale pid file, not an lk-worker, or still draining after --timeout, 2 bad usage."})
final class DrainCommand extends OperatorCommand {

    /** How often --wait reports progress. */
    static final Duration POLL = Duration.ofSeconds(1);

    @Mixin
    PidFileOptions location;

    @Option(names = "--pid", paramLabel = "PID", order = 4,
            description = "Signal this process instead of the one in the pid file (it must be an lk-worker).")
    Long pid;

    @Option(names = "--wait", order = 5,
            description = "Wait until the worker has exited, printing the jobs still running whenever they change; "
                    + "exit with the worker's exit code.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", order = 6,
            description = "With --wait: give up waiting after this long (e.g. 90s, 10m) and exit 1; "
                    + "the worker keeps draining. Default: no limit.")
    String timeout;

    @Option(names = "--now", order = 7,
            description = "Stop the running jobs at once instead of letting them finish: a second SIGTERM after the "
                    + "drain has started (the jobs are reported failed; the worker exits 130).")
    boolean now;

    /** How long --now waits for the first SIGTERM to show as a drain before sending the second. */
    static final Duration DRAIN_START_LIMIT = Duration.ofSeconds(10);

    /**
     * The daemon closes its health server while it exits, so a few refused connections at the end are
     * its exit under way, not news: a failure is printed only after this many polls in a row.
     */
    static final int QUIET_FAILURES = 5;

    /** The last progress line's summary, for the timeout message. */
    private String lastSummary = "";
    /** The last line printed, so an unchanged state is not printed again every poll. */
    private String lastLine;
    private int failuresInARow;

    DrainCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws CommandFailure, ConfigException, InterruptedException {
        Duration limit = timeout();
        RunFiles files = new RunFiles(location.resolve(context.env()));
        DaemonProcess daemon = pid != null ? DaemonProcess.fromPid(pid) : DaemonProcess.fromPidFile(files);
        // With --pid the pid file may belong to another daemon (or none): use its json and exit code
        // only when it names this very process.
        boolean ownFiles = pid == null || pidInFile(files).filter(p -> p == daemon.pid()).isPresent();
        Optional<String> healthUrl = ownFiles ? healthUrl(files) : Optional.empty();

        HealthClient health = healthUrl.isPresent() ? new HealthClient(healthUrl.get()) : null;
        Optional<String> state = state(health);
        boolean draining = state.filter("draining"::equals).isPresent();
        if (now) {
            stopJobsNow(daemon, health, draining);
        } else if (draining) {
            out().println("lk-worker " + daemon.pid() + " is already draining; not signalling it again: a second"
                    + " SIGTERM stops its jobs at once (lk-worker drain --now does that)");
        } else {
            signal(daemon);
            out().println("sent SIGTERM to lk-worker " + daemon.pid() + ": draining" + (state.isPresent() ? ""
                    : " (if it was draining already, this second SIGTERM stops its jobs at once)"));
        }
        out().flush();
        if (!await) {
            return ExitCodes.OK;
        }
        if (!waitForExit(daemon, health, limit)) {
            throw new CommandFailure("lk-worker " + daemon.pid() + " is still draining after "
                    + Durations.format(limit) + lastSummary);
        }
        Optional<Integer> code = ownFiles ? exitCode(files) : Optional.empty();
        if (code.isEmpty()) {
            throw new CommandFailure("lk-worker " + daemon.pid() + " exited but left no exit code"
                    + (ownFiles ? " in " + files.exitFile() : " (no pid file of its own)"));
        }
        out().println("lk-worker " + daemon.pid() + " exited with code " + code.get());
        out().flush();
        return code.get();
    }

    /**
     * --now: a second SIGTERM. If the daemon is not draining yet, the first is sent and the second only
     * once the daemon reports the drain (signals of one kind sent together may arrive as one).
     */
    private void stopJobsNow(DaemonProcess daemon, HealthClient health, boolean draining)
            throws CommandFailure, InterruptedException {
        if (!draining) {
            if (health == null) {
                throw new CommandFailure("--now: lk-worker " + daemon.pid() + " has no health server to show when its"
                        + " drain has started; run 'lk-worker drain', then 'lk-worker drain --now'");
            }
            signal(daemon);
            long deadline = System.nanoTime() + DRAIN_START_LIMIT.toNanos();
            while (!state(health).filter("draining"::equals).isPresent()) {
                if (!daemon.handle().isAlive()) {
                    out().println("lk-worker " + daemon.pid() + " exited on the first SIGTERM: nothing was running");
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new CommandFailure("--now: lk-worker " + daemon.pid() + " got SIGTERM but did not report"
                            + " draining within " + DRAIN_START_LIMIT.toSeconds() + " s; not sending the second");
                }
                try {
                    daemon.handle().onExit().get(100, TimeUnit.MILLISECONDS); // its exit ends the wait early
                } catch (TimeoutException | ExecutionException e) {
                    // not yet: ask again
                }
            }
        }
        signal(daemon);
        out().println("sent a second SIGTERM to lk-worker " + daemon.pid()
                + ": its jobs are stopped at once (reported failed)");
    }

    private static void signal(DaemonProcess daemon) throws CommandFailure {
        if (!daemon.handle().destroy()) {
            throw new CommandFailure("cannot signal lk-worker " + daemon.pid() + " (is it another user's?)");
        }
    }

    /** The daemon's state from its health server; empty when there is none or it does not answer. */
    private static Optional<String> state(HealthClient health) throws InterruptedException {
        if (health == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(WorkerStatusView.text(health.worker(), "state", ""));
        } catch (CommandFailure e) {
            return Optional.empty();
        }
    }

    /** Reports progress every {@link #POLL} until the process is gone; false when {@code limit} ran out first. */
    private boolean waitForExit(DaemonProcess daemon, HealthClient health, Duration limit)
            throws CommandFailure, InterruptedException {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        if (health == null) {
            out().println("draining: waiting for lk-worker " + daemon.pid() + " to exit (no health server to ask"
                    + " about its jobs)");
            out().flush();
        }
        while (true) {
            if (health != null && daemon.handle().isAlive()) {
                report(health);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return !daemon.handle().isAlive();
            }
            try {
                daemon.handle().onExit().get(Math.min(left, POLL.toNanos()), TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                // still draining: report again
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private void report(HealthClient health) throws InterruptedException {
        String line;
        try {
            lastSummary = ": " + WorkerStatusView.jobSummary(health.worker());
            line = "draining" + lastSummary;
            failuresInARow = 0;
        } catch (CommandFailure e) {
            if (++failuresInARow < QUIET_FAILURES) {
                return;
            }
            line = "draining: " + e.getMessage();
        }
        if (!line.equals(lastLine)) {
            lastLine = line;
            out().println(line);
            out().flush();
        }
    }

    private Duration timeout() throws CommandFailure {
        if (timeout == null || timeout.isBlank()) {
            return null;
        }
        if (!await) {
            throw new CommandFailure("--timeout: only makes sense with --wait", ExitCodes.USAGE);
        }
        try {
            Duration d = Durations.parse(timeout);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("--timeout: " + e.getMessage() + ", got '" + timeout + "'", ExitCodes.USAGE);
        }
    }

    private static Optional<Long> pidInFile(RunFiles files) {
        try {
            return files.readPid();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> healthUrl(RunFiles files) {
        try {
            return files.readHealthUrl();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // progress is a nicety: drain still works without it
        }
    }

    private static Optional<Integer> exitCode(RunFiles files) throws CommandFailure {
        try {
            return files.readExitCode();
        } catch (IOException | NumberFormatException e) {
            throw new CommandFailure("cannot read the exit code in " + files.exitFile() + ": " + e.getMessage());
        }
    }
}
