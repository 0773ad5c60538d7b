package io.lkworker.cli;

import io.lkworker.config.ConfigSources;
import io.lkworker.config.WorkerConfig;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.Daemon;
import io.lkworker.dev.DevOptions;
import io.lkworker.dev.DevRunner;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the commands take from the outside world, injectable so tests need not touch the real
 * environment or start a daemon.
 *
 * @param env the environment variables
 * @param home the install directory (holds conf/lk-worker.properties), or null
 * @param daemon what runs once the configuration and the agent are ready
 * @param dev what runs {@code lk-worker dev} once the configuration and the agent are ready
 */
public record CliContext(Map<String, String> env, Path home, DaemonLauncher daemon, DevLauncher dev) {

    /** Runs dev mode; returns the process exit code. */
    @FunctionalInterface
    public interface DevLauncher {
        int run(WorkerConfig config, LoadedAgent agent, DevOptions options) throws Exception;
    }

    /** A context whose dev mode hands over to the same launcher, ignoring the dev-only options (tests). */
    public CliContext(Map<String, String> env, Path home, DaemonLauncher daemon) {
        this(env, home, daemon, (config, agent, options) -> daemon.run(config, agent));
    }

    /** Runs the daemon; returns the process exit code. */
    @FunctionalInterface
    public interface DaemonLauncher {
        int run(WorkerConfig config, LoadedAgent agent) throws Exception;
    }

    public CliContext {
        env = Map.copyOf(env);
    }

    /** The real environment, {@code -Dlkworker.home} (set by bin/lk-worker) and the real daemon. */
    public static CliContext system() {
        String home = System.getProperty(ConfigSources.HOME_PROPERTY);
        return new CliContext(System.getenv(), home == null || home.isBlank() ? null : Path.of(home), Daemon::run,
                DevRunner::run);
    }
}
