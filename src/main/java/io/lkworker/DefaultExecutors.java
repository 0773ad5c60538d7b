package io.lkworker;

import io.lkworker.config.WorkerConfig;
import io.lkworker.worker.ExecutorFactory;
import io.lkworker.worker.ThreadExecutor;

/** The production choices of executor and load source. */
final class DefaultExecutors {

    private DefaultExecutors() {
    }

    static ExecutorFactory defaultFactory() {
        return (config, agent, loop) -> {
            if (config.jobExecutor() == WorkerConfig.ExecutorKind.THREAD) {
                ThreadExecutor executor = new ThreadExecutor(loop, agent.agent(), config.entrypointGrace(),
                        config.shutdownTimeout());
                executor.prewarm();
                return executor;
            }
            throw new IllegalStateException("the process executor is not available in this build");
        };
    }
}
