package io.lkworker.console;

import io.lkworker.config.WorkerConfig;
import io.lkworker.worker.ExecutorFactory;
import io.lkworker.worker.ThreadExecutor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor a console job runs on: the daemon's own choice ({@code io.lkworker.DefaultExecutors}),
 * so {@code --job-executor process} runs the job in a child JVM exactly as {@code start} would. When
 * this build has no process executor yet, the job runs on a thread instead, with a log line saying so.
 */
public final class ConsoleExecutors {

    private static final Logger log = LoggerFactory.getLogger(ConsoleExecutors.class);
    /** What DefaultExecutors says when this build has no process executor. */
    static final String UNAVAILABLE = "not available";

    private ConsoleExecutors() {
    }

    /** The daemon's factory, falling back to the thread executor when the process one is missing. */
    public static ExecutorFactory withThreadFallback(ExecutorFactory daemonFactory) {
        return (config, agent, loop) -> {
            try {
                return daemonFactory.create(config, agent, loop);
            } catch (IllegalStateException e) {
                // Only "this build has none" falls back; a process executor that exists but fails
                // (cannot spawn, prewarm failed) must fail the console run like it would fail start.
                if (config.jobExecutor() != WorkerConfig.ExecutorKind.PROCESS || e.getMessage() == null
                        || !e.getMessage().contains(UNAVAILABLE)) {
                    throw e;
                }
                log.info("the process executor is not available in this build; running the job on a thread");
                ThreadExecutor executor = new ThreadExecutor(loop, agent.agent(), config.entrypointGrace(),
                        config.shutdownTimeout());
                executor.prewarm();
                return executor;
            }
        };
    }

    /**
     * {@code io.lkworker.DefaultExecutors.defaultFactory()}. That class is package-private in the root
     * package (the daemon's wiring), so it is looked up reflectively here; once it is public this
     * becomes a plain call.
     */
    public static ExecutorFactory daemonFactory() {
        try {
            Class<?> type = Class.forName("io.lkworker.DefaultExecutors");
            Method method = type.getDeclaredMethod("defaultFactory");
            method.setAccessible(true);
            return (ExecutorFactory) method.invoke(null);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | ClassCastException e) {
            throw new IllegalStateException("cannot find the daemon's executor factory: " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the daemon's executor factory failed: " + e.getCause(), e.getCause());
        }
    }
}
