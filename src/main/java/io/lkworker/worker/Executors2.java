package io.lkworker.worker;

import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;

/** The production choices of executor and load source. */
final class Executors2 {

    private Executors2() {
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

    static LoadMonitor defaultLoad() {
        return LoadMonitor.fixed(0);
    }
}
