package io.lkworker.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process groups of job processes (Linux). Each child is started as the leader of a new session and
 * process group ({@code setsid}), so everything an agent starts (an ffmpeg, a shell and what it
 * forks, a double-forked daemon) stays in the group {@code pgid = child pid} even after its parent
 * is gone, and can be ended with it. The child is also given a parent-death signal
 * ({@code setpriv --pdeathsig KILL}): the kernel SIGKILLs it the moment the daemon dies, even by
 * {@code kill -9}, without the child itself having to be scheduled to notice.
 *
 * <p>Java cannot call setsid(2) or prctl(2) itself; util-linux's {@code setsid} and {@code setpriv}
 * exec in place (the child keeps its pid). Without them children run as before: in the daemon's
 * group, leaving when their socket to the daemon closes.
 */
final class ProcessGroups {

    private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

    /** The launch prefix, empty when the tools are missing. Resolved once per daemon. */
    static final List<String> LAUNCH_PREFIX = detectPrefix();

    private ProcessGroups() {
    }

    /** Whether children get their own process group (and so can be ended as a group). */
    static boolean enabled() {
        return !LAUNCH_PREFIX.isEmpty();
    }

    private static List<String> detectPrefix() {
        if (Boolean.getBoolean("lkworker.pool.noProcessGroups")) {
            return List.of();
        }
        Optional<Path> setsid = onPath("setsid");
        Optional<Path> setpriv = onPath("setpriv");
        if (setsid.isEmpty()) {
            log.warn("setsid not found: job processes share the daemon's process group, and processes agents"
                    + " start are not ended with their job");
            return List.of();
        }
        List<String> prefix = new ArrayList<>(List.of(setsid.get().toString()));
        if (setpriv.isPresent() && supportsPdeathsig(setpriv.get())) {
            prefix.addAll(List.of(setpriv.get().toString(), "--pdeathsig", "KILL", "--"));
        } else {
            log.warn("setpriv --pdeathsig not available (util-linux 2.33+): job processes leave on their own"
                    + " when the daemon dies, instead of being killed by the kernel");
        }
        return List.copyOf(prefix);
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean supportsPdeathsig(Path setpriv) {
        try {
            Process probe = new ProcessBuilder(setpriv.toString(), "--pdeathsig", "KILL", "--", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * SIGKILLs every live process of group {@code pgid} until none is left (a process may fork while
     * it is being killed; a few rounds settle it). Returns how many were killed. Any thread; reads
     * {@code /proc}.
     */
    static int killGroup(long pgid) {
        int killed = 0;
        for (int round = 0; round < 5; round++) {
            List<Long> members = members(pgid);
            if (members.isEmpty()) {
                break;
            }
            for (long pid : members) {
                if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                    killed++;
                }
            }
        }
        return killed;
    }

    /** Live (not zombie) processes whose process group is {@code pgid}. */
    static List<Long> members(long pgid) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumeric(p))) {
            for (Path proc : procs) {
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"), StandardCharsets.ISO_8859_1);
                } catch (IOException gone) {
                    continue;
                }
                // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses: parse after the last ')'
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (rest.length > 2 && Long.parseLong(rest[2]) == pgid && !rest[0].equals("Z")) {
                    found.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            log.debug("cannot list /proc: {}", e.toString());
        }
        return found;
    }

    private static boolean isNumeric(Path p) {
        String name = p.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }
}
