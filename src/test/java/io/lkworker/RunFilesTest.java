package io.lkworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pid files are written and read without following symbolic links someone else planted. */
class RunFilesTest {

    @TempDir
    Path tmp;

    @Test
    void writingNeverFollowsALinkAtTheTemporaryOrFinalName() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
        RunFiles files = new RunFiles(tmp.resolve("lk-worker.pid"));
        // the names a writer would use for its temporary file and for the targets
        Files.createSymbolicLink(tmp.resolve("lk-worker.pid.tmp"), victim);
        Files.createSymbolicLink(tmp.resolve("lk-worker.pid.json.tmp"), victim);
        Files.createSymbolicLink(files.pidFile(), victim);
        files.writeStarted(4242, "0.0.0.0", 8081, 1_000);
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(Files.isSymbolicLink(files.pidFile())).isFalse();
        assertThat(files.readPid()).contains(4242L);
        assertThat(files.readHealthUrl()).contains("http://127.0.0.1:8081");
        files.writeExited(0);
        assertThat(files.readExitCode()).contains(0);
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
    }

    @Test
    void aPidFileThatIsALinkIsRefused() throws Exception {
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere"), "1\n");
        RunFiles files = new RunFiles(tmp.resolve("lk-worker.pid"));
        Files.createSymbolicLink(files.pidFile(), elsewhere);
        assertThatThrownBy(files::readPid).hasMessageContaining("symbolic link");
    }
}
