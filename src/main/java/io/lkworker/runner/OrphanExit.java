package io.lkworker.runner;

import java.util.concurrent.TimeUnit;

/**
 * How a child whose daemon is gone ends itself: at once, with no shutdown hooks.
 *
 * <p>{@code Runtime.halt} is enough, except for the child that trains the class-data sharing archive
 * ({@code -XX:ArchiveClassesAtExit}): the JVM writes the archive on every exit path, halt included,
 * which takes seconds on a busy machine — for an archive nobody will install, since only the daemon
 * moves it into place. That child sends itself SIGKILL instead, the one exit the JVM cannot intercept.
 */
public final class OrphanExit {

    /** Set on the command line of the training child by the pool's launcher. */
    public static final String TRAINER_PROPERTY = "lkworker.cds.trainer";
    private static final int EXIT_CODE = 1;

    private OrphanExit() {
    }

    public static void now(long pid) {
        endDescendants();
        if (Boolean.getBoolean(TRAINER_PROPERTY)) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start();
                kill.waitFor(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // no kill(1) here: fall through to halt, slower but still an exit
            }
        }
        Runtime.getRuntime().halt(EXIT_CODE);
    }

    /**
     * SIGKILLs the processes this job process started (an agent's ffmpeg, a shell...), so they do not
     * outlive it. The daemon also ends the child's whole process group once it has exited; this
     * covers a daemon that is gone, and processes that left the group but are still our descendants.
     */
    public static void endDescendants() {
        try {
            if (!hasChildren()) {
                return; // no child, so no descendant: skip the scan of every process on the machine
            }
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        } catch (RuntimeException ignored) {
            // best effort on the way out
        }
    }

    /**
     * Whether this process has a child, from {@code /proc/self/task/<tid>/children} (Linux 3.5+):
     * a few small reads. {@code ProcessHandle.descendants()} reads the status of every process on
     * the machine (25-55 ms and ~0.04 CPU-s on a loaded 2-core machine with 85 processes) and ran at
     * the end of every job. True when the files cannot be read: then the scan decides.
     */
    static boolean hasChildren() {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        try (java.nio.file.DirectoryStream<java.nio.file.Path> dir = java.nio.file.Files.newDirectoryStream(tasks)) {
            for (java.nio.file.Path task : dir) {
                java.nio.file.Path children = task.resolve("children");
                if (!java.nio.file.Files.isReadable(children)) {
                    return true;
                }
                try {
                    if (!java.nio.file.Files.readString(children).isBlank()) {
                        return true;
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the thread ended meanwhile: it has no children to read
                }
            }
            return false;
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }
}
