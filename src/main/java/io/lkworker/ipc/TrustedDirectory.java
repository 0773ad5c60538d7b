package io.lkworker.ipc;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory the daemon may write to and read back from without another local user being able to
 * interfere: the run directory (pid file, IPC sockets) and the class-data cache (archives and jars
 * every child loads). The default run directory may sit in a shared {@code /tmp}, where anyone can
 * create a name first and point it somewhere else.
 *
 * <p>Accepted: a real directory (not a symbolic link) owned by this process's user and writable by
 * nobody else. One that is also readable or searchable by others is narrowed to 0700 (nobody else
 * can have written into it). Anything else is refused with what to do about it. A missing directory
 * is created 0700 (its parents like {@code mkdir -p}).
 */
public final class TrustedDirectory {

    private static final Logger log = LoggerFactory.getLogger(TrustedDirectory.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    /** The directory cannot be trusted; the message says why and what to do. */
    public static final class UntrustedException extends IOException {
        UntrustedException(String message) {
            super(message);
        }
    }

    private TrustedDirectory() {
    }

    /** Creates {@code dir} or checks it, as described above; returns it. */
    public static Path ensure(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            Path parent = abs.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException raced) {
                // someone created it between the check and here: it is checked like any existing one
            }
        }
        PosixFileAttributes attrs = Files.readAttributes(abs, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            throw new UntrustedException(abs + " is a symbolic link; use a real directory owned by you, mode 0700");
        }
        if (!attrs.isDirectory()) {
            throw new UntrustedException(abs + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(abs, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (owner != me) {
            throw new UntrustedException(abs + " is owned by uid " + owner + ", not by this user (uid " + me
                    + "): another user may control what is in it; remove it or choose another directory");
        }
        Set<PosixFilePermission> perms = attrs.permissions();
        if (perms.stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
            throw new UntrustedException(abs + " is writable by other users (mode "
                    + PosixFilePermissions.toString(perms) + "); remove it or run chmod 700 " + abs
                    + " after checking what is in it");
        }
        if (!perms.equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(abs, OWNER_ONLY);
            log.info("narrowed {} to mode 0700 (was {})", abs, PosixFilePermissions.toString(perms));
        }
        return abs;
    }

    /** The uid of a file: refusing what another user planted needs the number, not a name. */
    public static int ownerUid(Path file) throws IOException {
        return (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** This process's uid: the owner of the directory {@code /proc/self}. */
    public static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
