package io.lkworker.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobRequest;
import org.junit.jupiter.api.Test;

/** Only an agent that keeps Agent's default onRequest is decided on the event loop. */
class DefaultOnRequestTest {

    public static class Plain implements Agent {
        @Override
        public void entrypoint(JobContext ctx) {
        }
    }

    public static class Choosy implements Agent {
        @Override
        public void entrypoint(JobContext ctx) {
        }

        @Override
        public void onRequest(JobRequest request) {
            request.reject();
        }
    }

    public static class ChoosyChild extends Choosy {
    }

    @Test
    void anAgentWithoutItsOwnOnRequestKeepsTheDefault() {
        assertThat(AvailabilityHandler.keepsDefaultOnRequest(new Plain())).isTrue();
        assertThat(AvailabilityHandler.keepsDefaultOnRequest(ctx -> { })).isTrue();
    }

    @Test
    void anAgentThatOverridesOnRequestOrInheritsAnOverrideDoesNot() {
        assertThat(AvailabilityHandler.keepsDefaultOnRequest(new Choosy())).isFalse();
        assertThat(AvailabilityHandler.keepsDefaultOnRequest(new ChoosyChild())).isFalse();
    }
}
