package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionCommandTest {

    @Test
    void printsTheVersionAndTheJavaRuntime() throws Exception {
        CliRun.Result r = new CliRun().run("version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "lk-worker " + VersionProvider.version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        assertThat(r.out()).isEqualTo(new CliRun().run("--version").out());
    }
}
