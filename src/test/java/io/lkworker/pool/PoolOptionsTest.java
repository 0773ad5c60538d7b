package io.lkworker.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.testing.TestConfigs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the pool keeps what outlives a start: --cache-dir (the .deb's /var/cache/lk-worker), else the run directory. */
class PoolOptionsTest {

    @Test
    void archivesGoToTheCacheDirectoryWhenOneIsSet() {
        PoolOptions options = PoolOptions.from(TestConfigs.config("ws://h", b -> {
            b.runDir = Path.of("/run/lk-worker");
            b.cacheDir = Path.of("/var/cache/lk-worker");
            return b;
        }));

        assertThat(options.runDir()).isEqualTo(Path.of("/run/lk-worker"));
        assertThat(options.cacheDir()).isEqualTo(Path.of("/var/cache/lk-worker/cds"));
        // ChildLauncher keeps the WebRTC library beside the archives
        assertThat(options.cacheDir().resolveSibling("native")).isEqualTo(Path.of("/var/cache/lk-worker/native"));
    }

    @Test
    void withoutACacheDirectoryTheRunDirectoryHoldsTheArchives() {
        PoolOptions options = PoolOptions.from(TestConfigs.config("ws://h", b -> {
            b.runDir = Path.of("/tmp/lk-worker-me");
            return b;
        }));

        assertThat(options.cacheDir()).isEqualTo(Path.of("/tmp/lk-worker-me/cds"));
    }
}
