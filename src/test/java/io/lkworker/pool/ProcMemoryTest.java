package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcMemoryTest {

    /** As Linux 6.x writes it (values from a job process), with the Pss_* breakdown lines that must not be taken for Pss. */
    private static final String ROLLUP = """
            55d0c4a00000-7ffd3f9e5000 ---p 00000000 00:00 0                          [rollup]
            Rss:              186420 kB
            Pss:              121337 kB
            Pss_Dirty:         98812 kB
            Pss_Anon:          97676 kB
            Pss_File:          23661 kB
            Pss_Shmem:             0 kB
            Shared_Clean:      68400 kB
            Private_Dirty:     98860 kB
            Swap:                  0 kB
            SwapPss:               0 kB
            Locked:                0 kB
            """;

    @TempDir
    Path dir;

    @Test
    void parsesRssAndPssInBytes() {
        ProcMemory.Reading r = ProcMemory.parse(ROLLUP);
        assertThat(r.rssBytes()).isEqualTo(186420L * 1024);
        assertThat(r.pssBytes()).isEqualTo(121337L * 1024);
    }

    @Test
    void theRealFileOfThisJvmHasBothAndPssIsAtMostRss() {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps_rollup")), "Linux 4.14+ only");
        ProcMemory.Reading r = ProcMemory.read(ProcessHandle.current().pid());
        assertThat(r.rssBytes()).isPositive();
        assertThat(r.pssBytes()).isPositive().isLessThanOrEqualTo(r.rssBytes());
    }

    @Test
    void aMissingFileIsUnknownNotZero() {
        ProcMemory.Reading r = ProcMemory.read(dir.resolve("no-such-smaps_rollup"));
        assertThat(r).isEqualTo(ProcMemory.Reading.UNKNOWN);
        assertThat(r.known()).isFalse();
        assertThat(r.rssBytes()).isEqualTo(-1);
    }

    @Test
    void aProcessThatIsGoneIsUnknown() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        p.destroy();
        assertThat(ProcMemory.read(pid).known()).isFalse();
    }

    @Test
    void aMissingOrMalformedLineIsUnknownForThatValueOnly() throws Exception {
        Path file = dir.resolve("smaps_rollup");
        Files.writeString(file, "Rss:     2048 kB\nPss:  lots kB\n");
        ProcMemory.Reading r = ProcMemory.read(file);
        assertThat(r.rssBytes()).isEqualTo(2048L * 1024);
        assertThat(r.pssBytes()).isEqualTo(-1);
        assertThat(ProcMemory.parse("Pss_Anon:  10 kB\n")).isEqualTo(ProcMemory.Reading.UNKNOWN);
        assertThat(ProcMemory.parse("Rss: 10 MB\n").rssBytes()).isEqualTo(-1);
    }
}
