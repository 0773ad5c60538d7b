package io.lkworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class CapacityTest {

    private static final double UNKNOWN = Double.NaN;

    @Test
    void reservedSlotsCountAtTheMeasuredPerJobLoadSoTwoQuickRequestsCannotBothSlipUnder() {
        Capacity capacity = new Capacity(0.7, 0, 4);
        // Load 0.5, one job measured at 0.15: each reservation is charged 0.15.
        assertThat(capacity.canTakeJob(0.5, 0.15, 0, 0, 0)).isTrue();
        assertThat(capacity.effectiveLoad(0.5, 0.15, 1)).isEqualTo(0.65, Offset.offset(1e-9));
        assertThat(capacity.canTakeJob(0.5, 0.15, 0, 1, 0)).isTrue();
        assertThat(capacity.canTakeJob(0.5, 0.15, 0, 2, 0)).isFalse();
    }

    @Test
    void anUnmeasuredJobCostsNothingSoAWorkerWithFreeSlotsTakesConcurrentOffers() {
        Capacity capacity = new Capacity(0.7, 0, 2);
        // Before: each reservation was charged threshold / idle = 0.35, so at load 0.4 the second of
        // two concurrent offers found the worker "full" with free slots.
        assertThat(capacity.canTakeJob(0.4, UNKNOWN, 0, 1, 0)).isTrue();
        assertThat(capacity.effectiveLoad(0.4, UNKNOWN, 3)).isEqualTo(0.4, Offset.offset(1e-9));
        // The load itself still decides.
        assertThat(capacity.canTakeJob(0.7, UNKNOWN, 0, 0, 0)).isFalse();
    }

    @Test
    void maxJobsIsADeterministicCap() {
        Capacity capacity = new Capacity(Double.POSITIVE_INFINITY, 2, 1);
        assertThat(capacity.canTakeJob(0, UNKNOWN, 1, 0, 0)).isTrue();
        assertThat(capacity.canTakeJob(0, UNKNOWN, 1, 1, 0)).isFalse();
        assertThat(capacity.canTakeJob(0, UNKNOWN, 2, 0, 0)).isFalse();
        assertThat(capacity.explain(0, UNKNOWN, 2, 0, 0)).contains("2 running + 0 reserved jobs of --max-jobs 2");
    }

    @Test
    void theExplanationNamesLoadAndThreshold() {
        Capacity capacity = new Capacity(0.7, 0, 2);
        assertThat(capacity.explain(0.6, 0.2, 1, 1, 0))
                .isEqualTo("effective load 0.80 (load 0.60 + 1 × 0.20 per job), threshold 0.70; 1 running + 1 reserved jobs"
                        + " (no --max-jobs)");
    }

    @Test
    void infiniteThresholdNeverFills() {
        Capacity capacity = new Capacity(Double.POSITIVE_INFINITY, 0, 0);
        assertThat(capacity.isFull(1.0, 0.5, 50, 50, 0)).isFalse();
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
        assertThat(capped.idleTarget(4, 0, UNKNOWN, 0, 0, 0)).isEqualTo(3);
        assertThat(capped.idleTarget(4, 0, UNKNOWN, 2, 0, 0)).isEqualTo(1);
        assertThat(capped.idleTarget(4, 0, UNKNOWN, 2, 1, 0)).isZero();

        Capacity byLoad = new Capacity(0.7, 0, 4);
        // Two jobs use 0.4 (0.2 each): the 0.3 of headroom fits two more.
        assertThat(byLoad.idleTarget(4, 0.4, 0.2, 2, 0, 0)).isEqualTo(2);
        // Full: nothing worth warming.
        assertThat(byLoad.idleTarget(4, 0.75, 0.2, 2, 0, 0)).isZero();
        // Nothing measured yet: what was asked.
        assertThat(byLoad.idleTarget(4, 0.3, UNKNOWN, 0, 0, 0)).isEqualTo(4);
        assertThat(byLoad.idleTarget(9, 0.3, UNKNOWN, 0, 0, 0)).isEqualTo(9);
    }

    @Test
    void runningJobsTheLoadDoesNotShowYetAreChargedLikeReservations() {
        Capacity capacity = new Capacity(0.45, 0, 2);
        assertThat(capacity.canTakeJob(0.2, 0.2, 1, 1, 0)).isTrue();
        assertThat(capacity.canTakeJob(0.2, 0.2, 1, 1, 0.9)).isFalse();
        assertThat(capacity.canTakeJob(0.2, 0.2, 1, 0, 0.9)).isTrue();
        assertThat(capacity.explain(0.2, 0.2, 1, 1, 0.5))
                .isEqualTo("effective load 0.45 (load 0.20 + 1.5 × 0.20 per job, capped at 0.25), threshold 0.45; 1 running + 1 reserved jobs"
                        + " (no --max-jobs); 0.5 of the running jobs not in the load yet");
        assertThat(capacity.idleTarget(3, 0.2, 0.2, 1, 0, 0.9)).isEqualTo(1);
    }

    @Test
    void predictionsNeverMakeAWorkerFullWhoseMeasuredLoadIsBelowOneJobsCost() {
        Capacity capacity = new Capacity(0.7, 0, 3);
        // Issue 17: a burst of 20 on an idle machine, "effective load 0.73 (load 0.03 + 5.9 × 0.12 per
        // job)": two offers declined "at capacity" at a measured load of 0.03.
        assertThat(capacity.canTakeJob(0.03, 0.12, 3, 3, 2.9)).isTrue();
        assertThat(capacity.effectiveLoad(0.03, 0.12, 5.9)).isEqualTo(0.61, Offset.offset(1e-9));
        assertThat(capacity.explain(0.03, 0.12, 3, 3, 2.9)).startsWith(
                "effective load 0.61 (load 0.03 + 5.9 × 0.12 per job, capped at 0.58), threshold 0.70");
        for (int pending = 0; pending <= 1000; pending += 7) {
            assertThat(capacity.canTakeJob(0.11, 0.12, 0, pending, 0)).as("%d pending at load 0.11", pending).isTrue();
            assertThat(capacity.idleTarget(3, 0.11, 0.12, 0, pending, 0)).as("idle target, %d pending", pending)
                    .isPositive();
        }
    }

    @Test
    void onceTheMeasuredLoadReachesOneJobsCostTheChargeStillStopsOverAcceptance() {
        Capacity capacity = new Capacity(0.7, 0, 3);
        // Load 0.15 = one job's cost: 4 pending jobs of 0.15 are charged up to the cap (0.55) → 0.70: full.
        assertThat(capacity.canTakeJob(0.15, 0.15, 1, 4, 0)).isFalse();
        assertThat(capacity.canTakeJob(0.15, 0.15, 1, 2, 0)).isTrue();
        // Heavy jobs (0.6 each): the cap is 0.1, so the second offer at load 0.6 is refused.
        assertThat(capacity.canTakeJob(0.6, 0.6, 1, 1, 0)).isFalse();
        // An infinite threshold charges without a cap but never fills.
        assertThat(new Capacity(Double.POSITIVE_INFINITY, 0, 3).effectiveLoad(0, 0.1, 20)).isEqualTo(2.0, Offset.offset(1e-9));
    }
}
