package io.lkworker.console;

import io.lkworker.api.AcceptOptions;
import io.lkworker.api.JobInfo;
import io.lkworker.api.JobRequest;
import java.util.concurrent.CompletableFuture;

/** The console job offered to the agent's {@code onRequest}. The first decision counts, as in the worker. */
final class ConsoleRequest implements JobRequest {

    /** The agent's answer: accept options, or null for a reject. */
    record Decision(AcceptOptions accept, boolean terminate) {
        boolean accepted() {
            return accept != null;
        }
    }

    private final JobInfo job;
    private final CompletableFuture<Decision> decision = new CompletableFuture<>();

    ConsoleRequest(JobInfo job) {
        this.job = job;
    }

    CompletableFuture<Decision> decision() {
        return decision;
    }

    @Override
    public JobInfo job() {
        return job;
    }

    @Override
    public void accept(AcceptOptions options) {
        decision.complete(new Decision(options == null ? AcceptOptions.defaults() : options, false));
    }

    @Override
    public void reject() {
        decision.complete(new Decision(null, false));
    }

    @Override
    public void rejectAndTerminate() {
        decision.complete(new Decision(null, true));
    }
}
