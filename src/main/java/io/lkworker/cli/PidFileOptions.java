package io.lkworker.cli;

import io.lkworker.Daemon;
import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.ConfigException;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.WorkerConfig.Mode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a running daemon's pid file is, found exactly as the daemon chose it: {@code --pid-file},
 * else {@code LKW_PID_FILE} or the config file's {@code pid-file}, else in the run directory
 * ({@code --run-dir} / {@code LKW_RUN_DIR} / config / the built-in default, which is the same for
 * start and dev) {@code lk-worker.pid} (start's) or, with {@code --dev} or when only it exists,
 * {@code lk-worker-dev.pid} (dev's). The environment and config-file layers come from the command's
 * {@link io.lkworker.config.ConfigSources}, since the options are named like the settings.
 */
public final class PidFileOptions {

    /** {@link Daemon#pidFile} without a configured pid file: this name in the run directory. */
    static final String DEFAULT_NAME = "lk-worker.pid";

    @Option(names = "--pid-file", paramLabel = "FILE", order = 2,
            description = "The daemon's pid file. Env LKW_PID_FILE. Default: lk-worker.pid in the run directory.")
    String pidFile;

    @Option(names = "--run-dir", paramLabel = "DIR", order = 3,
            description = "The daemon's run directory, where the default pid file is. Env LKW_RUN_DIR. "
                    + "Default: as for start.")
    String runDir;

    @Option(names = "--dev", order = 3,
            description = "The lk-worker dev daemon's pid file (lk-worker-dev.pid in the run directory). Without"
                    + " it: start's, or dev's when only dev's exists.")
    boolean dev;

    /** The pid file, absolute and normalized like the daemon's configuration. */
    Path resolve(Map<String, String> env) throws ConfigException {
        if (pidFile != null && !pidFile.isBlank()) {
            return path(ConfigKeys.PID_FILE, pidFile);
        }
        String dir = runDir != null && !runDir.isBlank() ? runDir
                : ConfigDefaults.forMode(Mode.PROD, env).get(ConfigKeys.RUN_DIR);
        Path directory = path(ConfigKeys.RUN_DIR, dir);
        Path start = directory.resolve(DEFAULT_NAME);
        Path devFile = directory.resolve(ConfigDefaults.DEV_PID_FILE_NAME);
        if (dev) {
            return devFile;
        }
        // 'lk-worker status' while only 'lk-worker dev' runs (the newcomer's case) finds dev; with both
        // running, start's wins and --dev picks dev's
        if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS) && Files.exists(devFile, LinkOption.NOFOLLOW_LINKS)) {
            return devFile;
        }
        return start;
    }

    private static Path path(String key, String value) throws ConfigException {
        try {
            return Path.of(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(ConfigKeys.option(key) + ": not a valid path, got '" + value + "'");
        }
    }
}
