package io.lkworker.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CpuWindowTest {

    private static final long S = 1_000_000_000L;

    @Test
    void unknownUntilTwoReadings() {
        CpuWindow w = new CpuWindow(5 * S);
        assertThat(w.percent()).isNull();
        w.add(10 * S, 3 * S);
        assertThat(w.percent()).isNull();
    }

    @Test
    void percentOfOneCoreFromTheCpuAndWallDeltas() {
        CpuWindow w = new CpuWindow(5 * S);
        w.add(0, 7 * S);
        w.add(2 * S, 7 * S + S / 2); // 0.5 s of CPU in 2 s
        assertThat(w.percent()).isCloseTo(25.0, within(1e-9));
        w.add(4 * S, 7 * S + S / 2 + 3 * S); // then 3 s in 2 s: two busy threads
        assertThat(w.percent()).isCloseTo(100.0 * 3.5 / 4, within(1e-9));
    }

    @Test
    void readingsOlderThanTheWindowLeaveTheAverage() {
        CpuWindow w = new CpuWindow(5 * S);
        w.add(0, 0);
        w.add(2 * S, 2 * S);          // a busy core...
        w.add(4 * S, 4 * S);
        w.add(6 * S, 4 * S);          // ...then idle
        w.add(8 * S, 4 * S);
        // 0, 2 are more than 5 s older than 8: the window is 4..8, idle but for nothing
        assertThat(w.percent()).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void theTwoNewestReadingsAreKeptHoweverFarApart() {
        CpuWindow w = new CpuWindow(5 * S);
        w.add(0, 0);
        w.add(60 * S, 6 * S); // one late reading: still a rate, 10 %
        assertThat(w.percent()).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void aReadingThatGoesBackwardsRestartsTheWindow() {
        CpuWindow w = new CpuWindow(5 * S);
        w.add(0, 50 * S);
        w.add(2 * S, 51 * S);
        w.add(4 * S, S); // a new process under a reused pid
        assertThat(w.percent()).isNull();
        w.add(6 * S, 2 * S);
        assertThat(w.percent()).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new CpuWindow(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
