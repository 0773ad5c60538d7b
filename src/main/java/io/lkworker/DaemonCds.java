package io.lkworker;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing for the daemon itself. {@code bin/lk-worker} names an archive file for this
 * JVM, class path and agent-independent start-up ({@code -Dlkworker.daemonCds=FILE}) and, when the
 * file exists, starts the daemon with it ({@code -XX:SharedArchiveFile}): the classes of the
 * start-up path are mapped instead of loaded, parsed and verified. When it does not exist, the
 * daemon trains it once it has registered: a background JVM ({@link io.lkworker.cli.DaemonCdsTrainer},
 * niced, output discarded) runs the start-up path against the embedded server and writes the archive
 * at exit, to a temporary name first, so a half-written archive is never used.
 */
final class DaemonCds {

    private static final Logger log = LoggerFactory.getLogger(DaemonCds.class);
    static final String PROPERTY = "lkworker.daemonCds";
    /** A trainer that has not finished by then is killed: the archive is a cache, not a duty. */
    private static final long TRAINING_TIMEOUT_SECONDS = 120;

    /** The launcher names an AOT cache (JDK 25+) {@code daemon-KEY.aot}, a CDS archive {@code daemon-KEY.jsa}. */
    static final String AOT_SUFFIX = ".aot";

    private DaemonCds() {
    }

    /** This JVM's collector, heap and JIT flags (the launcher's DAEMON_OPTS and JAVA_OPTS). */
    static List<String> daemonJvmFlags() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.matches("-XX:[+-]Use\\w*GC|-Xm[sx]\\S+|-XX:TieredStopAtLevel=\\d|-XX:[+-]TieredCompilation|--enable-native-access=\\S+"))
                .toList();
    }

    /**
     * In the background: removes what killed trainers left in the cache, then trains if the launcher
     * asked for an archive that is missing.
     */
    static void trainIfMissing(Path agentJar) {
        String target = System.getProperty(PROPERTY);
        if (target == null || target.isBlank()) {
            return;
        }
        Path archive = Path.of(target);
        Thread t = new Thread(() -> {
            removeStaleTemporaries(archive.getParent());
            if (!Files.exists(archive)) {
                train(archive, agentJar);
            }
        }, "lkw-daemon-cds");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Deletes the temporary files ({@code daemon-KEY.jsa.tmp-PID}, {@code daemon-KEY.aot.tmp-PID} and the
     * latter's {@code .config}) of daemons that are gone: a daemon killed while its trainer ran never
     * moved or deleted them, and its trainer may have written the file after the daemon died.
     */
    static void removeStaleTemporaries(Path cache) {
        if (cache == null || !Files.isDirectory(cache)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cache, "daemon-*.tmp-*")) {
            for (Path file : files) {
                Matcher m = TEMPORARY.matcher(file.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive).isEmpty()) {
                    Files.deleteIfExists(file);
                    log.debug("removed {}, left by a daemon that is gone", file);
                }
            }
        } catch (IOException | DirectoryIteratorException | NumberFormatException e) {
            log.debug("could not clean the class-data cache {}: {}", cache, e.toString());
        }
    }

    private static final Pattern TEMPORARY =
            Pattern.compile("daemon-.+\\.(?:jsa|aot)\\.tmp-(\\d{1,18})(?:\\.config)?");

    private static void train(Path target, Path agentJar) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(target.getParent());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of("nice", "-n", "10", java));
            if (target.getFileName().toString().endsWith(AOT_SUFFIX)) {
                // JDK 25+ (the launcher chose the name): one training run that assembles the cache at exit
                // (JEP 514). A cache records the collector and JIT settings it was made with, so the
                // trainer runs with the daemon's own.
                cmd.addAll(daemonJvmFlags());
                cmd.addAll(List.of("-XX:AOTCacheOutput=" + tmp, "-Xlog:aot=off", "-Xlog:cds=off"));
            } else {
                cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + tmp, "-Xshare:auto", "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off"));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lkworker.cli.DaemonCdsTrainer",
                    agentJar.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            io.lkworker.load.HelperProcesses.register(p.pid()); // its CPU is our warm-up, not the machine's load
            p.getOutputStream().close();
            if (!p.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                log.debug("daemon class-data archive: training timed out");
            } else if (p.exitValue() == 0 && Files.isRegularFile(tmp)) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.info("wrote the daemon's class-data sharing archive {} (used from the next start)", target);
            } else {
                log.debug("daemon class-data archive: training exited {}", p.exitValue());
            }
        } catch (IOException e) {
            log.debug("daemon class-data archive not written: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(tmp);
                // JDK 25's trainer records its configuration beside the cache and removes it only when the
                // cache is assembled: a trainer that timed out or was killed leaves it
                Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".config"));
            } catch (IOException ignored) {
                // a stray temporary file in the cache
            }
        }
    }
}
