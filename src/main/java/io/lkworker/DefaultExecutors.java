package io.lkworker;

import io.lkworker.config.WorkerConfig;
import io.lkworker.pool.PoolOptions;
import io.lkworker.pool.ProcessPool;
import io.lkworker.worker.ExecutorFactory;
import io.lkworker.worker.ThreadExecutor;

/** The job executor the configuration asks for: the process pool (default) or the thread executor. */
public final class DefaultExecutors {

    private DefaultExecutors() {
    }

    public static ExecutorFactory defaultFactory() {
        return (config, agent, loop, metrics) -> {
            if (config.jobExecutor() == WorkerConfig.ExecutorKind.THREAD) {
                ThreadExecutor executor = new ThreadExecutor(loop, agent.agent(), config.entrypointGrace(),
                        config.shutdownTimeout());
                executor.prewarm();
                return executor;
            }
            return new ProcessPool(loop, PoolOptions.from(config)).withMetrics(metrics);
        };
    }
}
