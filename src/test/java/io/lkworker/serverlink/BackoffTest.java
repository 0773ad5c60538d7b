package io.lkworker.serverlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysGrowByTwoSecondsUpToTenThenGiveUpAfterMaxRetry() {
        Backoff backoff = new Backoff(16);
        List<Long> delays = new ArrayList<>();
        long d;
        while ((d = backoff.onFailure()) >= 0) {
            delays.add(d);
        }
        assertThat(delays).hasSize(16);
        assertThat(delays.subList(0, 7)).containsExactly(0L, 2000L, 4000L, 6000L, 8000L, 10000L, 10000L);
        assertThat(delays.subList(7, 16)).containsOnly(10000L);
        assertThat(backoff.failures()).isEqualTo(17);
    }

    @Test
    void resetMakesTheNextRetryImmediate() {
        Backoff backoff = new Backoff(3);
        backoff.onFailure();
        backoff.onFailure();
        backoff.reset();
        assertThat(backoff.onFailure()).isZero();
    }

    @Test
    void zeroRetriesGivesUpOnFirstFailure() {
        assertThat(new Backoff(0).onFailure()).isEqualTo(-1);
    }
}
