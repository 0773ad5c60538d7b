package io.lkworker.worker;

import io.lkworker.config.WorkerConfig;
import org.slf4j.LoggerFactory;

/** Placeholder until the daemon is merged; replaced wholesale by the worker component. */
public final class Daemon {

    public static int run(WorkerConfig config, io.lkworker.runner.LoadedAgent agent) {
        LoggerFactory.getLogger(Daemon.class).error("daemon not wired yet");
        return 1;
    }
}
