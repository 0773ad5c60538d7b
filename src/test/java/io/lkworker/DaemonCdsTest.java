package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's class-data cache: what killed trainers left behind is removed, nothing else. */
class DaemonCdsTest {

    @TempDir
    Path cache;

    @Test
    void temporariesOfDaemonsThatAreGoneAreRemovedAndEverythingElseKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        long alive = ProcessHandle.current().pid();
        Path[] stale = {
            Files.createFile(cache.resolve("daemon-123.jsa.tmp-" + dead)),
            Files.createFile(cache.resolve("daemon-456.aot.tmp-" + dead)),
            Files.createFile(cache.resolve("daemon-456.aot.tmp-" + dead + ".config")),
        };
        Path[] kept = {
            Files.createFile(cache.resolve("daemon-123.jsa.tmp-" + alive)), // a trainer of a running daemon
            Files.createFile(cache.resolve("daemon-123.jsa")),
            Files.createFile(cache.resolve("daemon-456.aot")),
            Files.createFile(cache.resolve("daemon-789.jsa.tmp-notapid")),
            Files.createFile(cache.resolve("notes.txt")),
        };

        DaemonCds.removeStaleTemporaries(cache);

        try (Stream<Path> left = Files.list(cache)) {
            assertThat(left).containsExactlyInAnyOrder(kept).doesNotContain(stale);
        }
    }

    @Test
    void aMissingCacheDirectoryIsNotAnError() {
        DaemonCds.removeStaleTemporaries(cache.resolve("absent"));
        DaemonCds.removeStaleTemporaries(null);
        assertThat(cache.resolve("absent")).doesNotExist();
    }
}
