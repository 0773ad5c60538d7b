package io.lkworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CapacityTest {

    @Test
    void reservedSlotsCountTowardTheThresholdSoTwoQuickRequestsCannotBothSlipUnder() {
        Capacity capacity = new Capacity(0.7, 0, 4);
        // Load sampled at 0.5; nothing running yet: each reservation is charged 0.7 / 4 = 0.175.
        assertThat(capacity.canTakeJob(0.5, 0, 0)).isTrue();
        assertThat(capacity.effectiveLoad(0.5, 0, 1)).isEqualTo(0.675, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(capacity.canTakeJob(0.5, 0, 1)).isTrue();
        assertThat(capacity.canTakeJob(0.5, 0, 2)).isFalse();
    }

    @Test
    void perJobEstimateComesFromRunningJobs() {
        Capacity capacity = new Capacity(0.7, 0, 4);
        // Two jobs use 0.6: 0.3 each; one reservation pushes the estimate to 0.9.
        assertThat(capacity.effectiveLoad(0.6, 2, 1)).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(capacity.isFull(0.6, 2, 1)).isTrue();
    }

    @Test
    void maxJobsIsADeterministicCap() {
        Capacity capacity = new Capacity(Double.POSITIVE_INFINITY, 2, 1);
        assertThat(capacity.canTakeJob(0, 1, 0)).isTrue();
        assertThat(capacity.canTakeJob(0, 1, 1)).isFalse();
        assertThat(capacity.canTakeJob(0, 2, 0)).isFalse();
    }

    @Test
    void infiniteThresholdNeverFills() {
        Capacity capacity = new Capacity(Double.POSITIVE_INFINITY, 0, 0);
        assertThat(capacity.isFull(1.0, 50, 50)).isFalse();
    }

    @Test
    void loadIsClampedToTheUnitInterval() {
        assertThat(Capacity.clamp(1.7)).isEqualTo(1.0);
        assertThat(Capacity.clamp(-0.2)).isZero();
        assertThat(Capacity.clamp(Double.NaN)).isZero();
    }

    @Test
    void idlePoolFollowsWhatTheWorkerCanStillTake() {
        Capacity capped = new Capacity(Double.POSITIVE_INFINITY, 3, 4);
        assertThat(capped.idleTarget(0, 0, 0)).isEqualTo(3);
        assertThat(capped.idleTarget(0, 2, 0)).isEqualTo(1);
        assertThat(capped.idleTarget(0, 2, 1)).isZero();

        Capacity byLoad = new Capacity(0.7, 0, 4);
        // Two jobs use 0.4 (0.2 each): the 0.3 of headroom fits two more.
        assertThat(byLoad.idleTarget(0.4, 2, 0)).isEqualTo(2);
        // Full: nothing worth warming.
        assertThat(byLoad.idleTarget(0.75, 2, 0)).isZero();
        // Nothing running yet: the configured pool.
        assertThat(byLoad.idleTarget(0.3, 0, 0)).isEqualTo(4);
    }
}
