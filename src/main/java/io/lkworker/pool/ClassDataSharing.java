package io.lkworker.pool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing for children: a dynamic AppCDS archive of the classes a child loads (runner,
 * protobuf, SLF4J, the agent), so later children map them instead of parsing and verifying them.
 *
 * <p>The first child started without an archive is the "trainer": it runs with
 * {@code -XX:ArchiveClassesAtExit=<tmp>}, the JVM writes the archive when that child exits
 * normally, and the pool moves it into place atomically. Later children run with
 * {@code -XX:SharedArchiveFile=<archive>}. (This also works on 19+; {@code -XX:+AutoCreateSharedArchive}
 * is not used because several children exiting at once would race to rewrite the same file.)
 *
 * <p>The archive's name is a hash of everything that invalidates it: the JDK, the child class path
 * (paths, sizes, mtimes), the agent jar (size, mtime) and the JVM options. A changed agent jar
 * therefore gets a fresh archive. Loop thread only.
 */
final class ClassDataSharing {

    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);
    /** A trainer can fail (killed, crashed); a few tries, then children run without the archive. */
    private static final int MAX_TRAINING_ATTEMPTS = 3;

    /** JVM flags for one child, and where its archive goes if it is the trainer. */
    record Plan(List<String> flags, Path trainingOutput, Path target) {
        boolean training() {
            return trainingOutput != null;
        }
    }

    /**
     * JDK 25+: an AOT cache (JEP 483/514: classes loaded and linked ahead of time, plus profiles)
     * written by the trainer with -XX:AOTCacheOutput, instead of a dynamic CDS archive. Children run
     * the daemon's own java, so the daemon's version is theirs.
     */
    static final boolean AOT_CACHE = Runtime.version().feature() >= 25
            && !Boolean.getBoolean("lkworker.pool.noAotCache");

    private final Path archive;
    private boolean trainerRunning;
    private int attempts;

    private ClassDataSharing(Path archive) {
        this.archive = archive;
    }

    /** Disabled: every plan is empty. */
    static ClassDataSharing disabled() {
        return new ClassDataSharing(null);
    }

    static ClassDataSharing create(Path cacheDir, String javaCommand, List<String> classPath, Path agentJar,
                                   List<String> jvmFlags) {
        if (cacheDir == null || Runtime.version().feature() < 13) {
            return disabled();
        }
        if (classPath.stream().anyMatch(e -> Files.isDirectory(Path.of(e)))) {
            log.info("class-data sharing disabled: the child class path has a directory");
            return disabled();
        }
        try {
            // children load what is in here: it must be ours alone
            io.lkworker.ipc.TrustedDirectory.ensure(cacheDir);
        } catch (IOException e) {
            log.warn("class-data sharing disabled: cannot create {}: {}", cacheDir, e.getMessage());
            return disabled();
        }
        StringBuilder key = new StringBuilder();
        key.append(Runtime.version()).append('|').append(System.getProperty("java.vm.version")).append('|')
                .append(javaCommand).append('|');
        for (String entry : classPath) {
            key.append(fileKey(Path.of(entry))).append('|');
        }
        key.append(fileKey(agentJar)).append('|').append(String.join(" ", jvmFlags));
        return new ClassDataSharing(cacheDir.resolve("child-" + sha256(key.toString()).substring(0, 24) + (AOT_CACHE ? ".aot" : ".jsa")));
    }

    Path archive() {
        return archive;
    }

    /** The CDS flags for the next child. */
    Plan nextChild() {
        if (archive == null) {
            return new Plan(List.of(), null, null);
        }
        if (Files.isRegularFile(archive)) {
            return new Plan(AOT_CACHE ? List.of("-XX:AOTCache=" + archive, "-XX:AOTMode=auto")
                    : List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto"), null, archive);
        }
        if (trainerRunning || attempts >= MAX_TRAINING_ATTEMPTS) {
            return new Plan(List.of(), null, null);
        }
        trainerRunning = true;
        attempts++;
        Path tmp = archive.resolveSibling(archive.getFileName() + "." + UUID.randomUUID() + ".tmp");
        // -Xlog:cds=error: the dump lists every class it skips (JFR events, ...) as a warning.
        return new Plan(AOT_CACHE ? List.of("-XX:AOTCacheOutput=" + tmp, "-Xlog:cds=error", "-Xlog:aot=error")
                : List.of("-XX:ArchiveClassesAtExit=" + tmp, "-Xlog:cds=error"), tmp, archive);
    }

    /**
     * The trainer has exited: publish its archive if it wrote one. The plan names its own target, so
     * a trainer started before a reload (another agent jar, another archive) publishes where it belongs.
     */
    void trainerExited(Plan plan, int exitCode) {
        if (!plan.training()) {
            return;
        }
        if (plan.target().equals(archive)) {
            trainerRunning = false;
        }
        Path tmp = plan.trainingOutput();
        Path target = plan.target();
        try {
            if (exitCode < 128 && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.info("class-data sharing archive written: {} ({} KB)", target, Files.size(target) / 1024);
            } else {
                Files.deleteIfExists(tmp);
            }
            // JDK 25: the configuration the trainer recorded, left when it did not assemble the cache
            Files.deleteIfExists(tmp.resolveSibling(tmp.getFileName() + ".config"));
        } catch (IOException e) {
            log.warn("cannot publish the class-data sharing archive {}: {}", target, e.getMessage());
        }
    }

    private static String fileKey(Path p) {
        try {
            return p.toAbsolutePath() + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return p.toAbsolutePath() + ":?";
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
