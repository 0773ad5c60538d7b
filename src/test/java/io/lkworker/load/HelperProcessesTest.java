package io.lkworker.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HelperProcessesTest {

    @Test
    void aRegisteredProcessesCpuIsCountedAndKeptAfterItExits() throws Exception {
        long before = HelperProcesses.cpuNanos();
        // a helper that burns CPU for a moment, then exits
        Process p = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").start();
        HelperProcesses.register(p.pid());
        long whileRunning = HelperProcesses.cpuNanos();
        assertThat(whileRunning).isGreaterThanOrEqualTo(before);
        // read once more just before it exits is not guaranteed; after it exits the sum never goes down
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long after = HelperProcesses.cpuNanos();
        assertThat(after).isGreaterThanOrEqualTo(whileRunning);
        assertThat(HelperProcesses.cpuNanos()).isEqualTo(after);
    }

    @Test
    void anUnknownPidReadsAsGone() {
        assertThat(ProcCpu.ticks(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(ProcCpu.ticks(ProcessHandle.current().pid())).isPositive();
    }
}
