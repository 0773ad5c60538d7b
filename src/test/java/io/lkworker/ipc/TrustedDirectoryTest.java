package io.lkworker.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real directories: what the daemon accepts as its run directory and what it refuses. */
class TrustedDirectoryTest {

    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aMissingDirectoryIsCreatedOwnerOnly() throws Exception {
        Path dir = tmp.resolve("a/b/run");
        assertThat(TrustedDirectory.ensure(dir)).isEqualTo(dir);
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(TrustedDirectory.ownerUid(dir)).isEqualTo(TrustedDirectory.currentUid());
    }

    @Test
    void anOwnDirectoryReadableByOthersIsNarrowedTo0700() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        TrustedDirectory.ensure(dir);
        assertThat(mode(dir)).isEqualTo("rwx------");
    }

    @Test
    void aDirectoryWritableByOthersIsRefusedAndLeftAlone() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> TrustedDirectory.ensure(dir))
                .isInstanceOf(TrustedDirectory.UntrustedException.class)
                .hasMessageContaining("writable by other users").hasMessageContaining("chmod 700");
        assertThat(mode(dir)).isEqualTo("rwxrwxrwx");
    }

    @Test
    void aSymbolicLinkIsRefusedEvenToAnOwnDirectory() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("run"), real);
        assertThatThrownBy(() -> TrustedDirectory.ensure(link))
                .isInstanceOf(TrustedDirectory.UntrustedException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void aFileIsRefused() throws Exception {
        Path file = Files.createFile(tmp.resolve("run"));
        assertThatThrownBy(() -> TrustedDirectory.ensure(file)).hasMessageContaining("not a directory");
    }

    @Test
    void aDirectoryAnotherUserOwnsIsRefused() throws Exception {
        assumeTrue(TrustedDirectory.currentUid() == 0, "needs root to give a directory to another user");
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(dir, "unix:uid", 65534);
        assertThatThrownBy(() -> TrustedDirectory.ensure(dir))
                .isInstanceOf(TrustedDirectory.UntrustedException.class).hasMessageContaining("owned by uid 65534");
    }
}
