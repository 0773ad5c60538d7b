package io.lkworker.cli;

import io.lkworker.RunFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A running lk-worker daemon, found through its pid file (or a pid) and checked before anything is
 * sent to it: the process must be alive and its command line must be lk-worker's, so a stale pid
 * file whose pid now belongs to some other program never gets that program signalled.
 */
final class DaemonProcess {

    /** The launcher (bin/lk-worker) and every documented way of running lk-worker start this class. */
    static final String MAIN_CLASS = "io.lkworker.cli.Main";

    private final ProcessHandle handle;

    private DaemonProcess(ProcessHandle handle) {
        this.handle = handle;
    }

    long pid() {
        return handle.pid();
    }

    ProcessHandle handle() {
        return handle;
    }

    /** The daemon whose pid the pid file holds. */
    static DaemonProcess fromPidFile(RunFiles files) throws CommandFailure {
        Path file = files.pidFile();
        Optional<Long> pid;
        try {
            pid = files.readPid();
        } catch (NoSuchFileException e) {
            pid = Optional.empty(); // removed between the check and the read: the daemon just exited
        } catch (IOException e) {
            throw new CommandFailure(e.getMessage());
        }
        if (pid.isEmpty()) {
            throw new CommandFailure("no lk-worker is running: pid file " + file + " not found");
        }
        if (pid.get() <= 0) {
            throw new CommandFailure("pid file " + file + " does not hold a pid: '" + pid.get() + "'");
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            throw new CommandFailure("stale pid file " + file + ": process " + pid.get() + " is not running");
        }
        return verified(handle.get());
    }

    /** The daemon with this pid (for {@code --pid}). */
    static DaemonProcess fromPid(long pid) throws CommandFailure {
        if (pid <= 0) {
            throw new CommandFailure("--pid: must be a process id, got " + pid, ExitCodes.USAGE);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            throw new CommandFailure("process " + pid + " is not running");
        }
        return verified(handle.get());
    }

    private static DaemonProcess verified(ProcessHandle handle) throws CommandFailure {
        Optional<List<String>> argv = commandLine(handle);
        if (argv.isEmpty() && !handle.isAlive()) {
            throw new CommandFailure("process " + handle.pid() + " is not running");
        }
        if (argv.isEmpty() || !isLkWorker(argv.get())) {
            throw new CommandFailure("process " + handle.pid() + " is not an lk-worker daemon");
        }
        return new DaemonProcess(handle);
    }

    /** lk-worker's main class on the command line, or the launcher or an lk-worker jar run directly. */
    static boolean isLkWorker(List<String> argv) {
        for (String arg : argv) {
            String name = arg.substring(arg.lastIndexOf('/') + 1);
            if (arg.equals(MAIN_CLASS) || name.equals("lk-worker")
                    || (name.startsWith("lk-worker") && name.endsWith(".jar"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The process's arguments: /proc/N/cmdline on Linux (complete, unlike ProcessHandle.Info,
     * which may be truncated or empty for other users' processes), else what the JDK can tell.
     */
    private static Optional<List<String>> commandLine(ProcessHandle handle) {
        Path proc = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String raw = new String(Files.readAllBytes(proc), StandardCharsets.UTF_8);
                return raw.isEmpty() ? Optional.empty() : Optional.of(Arrays.asList(raw.split("\0")));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        ProcessHandle.Info info = handle.info();
        return info.command().map(command -> {
            List<String> argv = new java.util.ArrayList<>(List.of(command));
            info.arguments().ifPresent(args -> argv.addAll(List.of(args)));
            return argv;
        });
    }
}
