package io.lkworker.ipc;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory only our user can enter (mode 0700), for IPC sockets and child output files. Other
 * local users can neither connect to the sockets nor read what children print.
 */
public final class PrivateDirectory {

    /** UNIX socket paths are limited to ~108 bytes by the kernel; leave room for the file name. */
    private static final int MAX_DIR_PATH = 90;

    private PrivateDirectory() {
    }

    /**
     * Creates a fresh private directory under {@code base} (or the system temp dir when null or too
     * deep); {@code base} must be a {@link TrustedDirectory}.
     */
    public static Path create(Path base, String prefix) throws IOException {
        var perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        if (base != null && base.toAbsolutePath().toString().length() < MAX_DIR_PATH - 20) {
            TrustedDirectory.ensure(base);
            return Files.createTempDirectory(base, prefix, perms);
        }
        return Files.createTempDirectory(prefix, perms);
    }

    /** Deletes a directory tree, ignoring what cannot be deleted. */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort: a leftover temp dir is harmless
        }
    }
}
