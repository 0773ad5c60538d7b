package io.lkworker.worker;

import io.lkworker.config.WorkerConfig;
import io.lkworker.loop.EventLoop;
import io.lkworker.runner.LoadedAgent;

/** Builds the job executor the configuration asks for. */
@FunctionalInterface
public interface ExecutorFactory {

    JobExecutor create(WorkerConfig config, LoadedAgent agent, EventLoop loop, WorkerMetrics metrics) throws Exception;
}
