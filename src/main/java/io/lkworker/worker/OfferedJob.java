package io.lkworker.worker;

import io.lkworker.api.AcceptOptions;
import io.lkworker.api.JobInfo;
import io.lkworker.api.JobRequest;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@link JobRequest} handed to the agent's {@code onRequest}. The first decision wins and is
 * handed to the worker (which posts it to the loop); later calls are ignored. Thread-safe.
 */
final class OfferedJob implements JobRequest {

    /** The agent's answer. */
    sealed interface Decision {
        record Accept(AcceptOptions options) implements Decision { }

        record Reject(boolean terminate) implements Decision { }
    }

    private final JobInfo job;
    private final Consumer<Decision> onDecision;
    private final AtomicReference<Decision> decision = new AtomicReference<>();

    OfferedJob(JobInfo job, Consumer<Decision> onDecision) {
        this.job = job;
        this.onDecision = onDecision;
    }

    @Override
    public JobInfo job() {
        return job;
    }

    @Override
    public void accept(AcceptOptions options) {
        decide(new Decision.Accept(options == null ? AcceptOptions.defaults() : options));
    }

    @Override
    public void reject() {
        decide(new Decision.Reject(false));
    }

    @Override
    public void rejectAndTerminate() {
        decide(new Decision.Reject(true));
    }

    boolean decided() {
        return decision.get() != null;
    }

    private void decide(Decision d) {
        if (decision.compareAndSet(null, d)) {
            onDecision.accept(d);
        }
    }
}
