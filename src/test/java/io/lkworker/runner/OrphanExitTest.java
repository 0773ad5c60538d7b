package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrphanExitTest {

    @Test
    void hasChildrenSeesAChildAndAgreesWithTheFullScanOnceItIsGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            assertThat(OrphanExit.hasChildren()).isTrue();
        } finally {
            sleeper.destroyForcibly();
            assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(OrphanExit.hasChildren()).isEqualTo(ProcessHandle.current().children().findAny().isPresent());
    }
    // endDescendants itself (grandchildren of a real job process): pool.GrandchildrenTest
}
