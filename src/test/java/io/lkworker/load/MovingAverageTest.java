package io.lkworker.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MovingAverageTest {

    @Test
    void emptyIsZero() {
        assertThat(new MovingAverage(5).value()).isZero();
    }

    @Test
    void averagesWhatItHasUntilFull() {
        MovingAverage avg = new MovingAverage(5);
        avg.add(0.2);
        avg.add(0.4);
        assertThat(avg.value()).isCloseTo(0.3, within(1e-12));
        assertThat(avg.count()).isEqualTo(2);
    }

    @Test
    void dropsTheOldestOnceFull() {
        MovingAverage avg = new MovingAverage(3);
        for (double v : new double[] {1, 1, 1, 0, 0}) {
            avg.add(v);
        }
        assertThat(avg.value()).isCloseTo(1.0 / 3, within(1e-12));
        avg.add(0);
        assertThat(avg.value()).isZero();
        assertThat(avg.count()).isEqualTo(3);
    }

    @Test
    void rejectsEmptyWindow() {
        assertThatThrownBy(() -> new MovingAverage(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
