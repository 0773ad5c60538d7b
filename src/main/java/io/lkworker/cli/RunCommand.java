package io.lkworker.cli;

import io.lkworker.Daemon;
import io.lkworker.RunFiles;
import io.lkworker.config.ConfigException;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.ConfigResolver;
import io.lkworker.config.ConfigSources;
import io.lkworker.config.RawValue;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.ipc.TrustedDirectory;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.runner.AgentLoadException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What {@code start} and {@code dev} share: the options, and the start-up sequence — resolve and
 * validate the configuration, load the agent, check the run directory (all before anything is
 * logged or connected; every problem one line, all of them reported together, exit code 2), set up
 * logging, then hand over to the daemon.
 */
abstract class RunCommand implements Callable<Integer>, ConfigSourced {

    private static final Logger log = LoggerFactory.getLogger("io.lkworker");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", order = 1,
            description = "Config file (Java properties; keys are option names without '--'). Env LKW_CONFIG. "
                    + "Default: conf/lk-worker.properties in the install directory, if present.")
    String configFile;

    @Mixin
    ConnectionOptions connection;
    @Mixin
    AgentOptions agent;
    @Mixin
    PermissionOptions permissions;
    @Mixin
    WorkerOptions worker;
    @Mixin
    HealthOptions health;
    @Mixin
    LoggingOptions logging;

    private final CliContext context;
    private final ConfigSources sources;

    RunCommand(CliContext context) {
        this.context = context;
        this.sources = new ConfigSources(context.env(), context.home(), () -> configFile);
    }

    @Override
    public ConfigSources sources() {
        return sources;
    }

    abstract Mode mode();

    /**
     * Everything the user can get wrong is checked before anything is logged or connected, and every
     * problem found is reported in one run: the settings, the agent jar (checked even when settings
     * failed, if it was given), the run directory. Only then is logging set up and the start announced.
     */
    @Override
    public Integer call() throws Exception {
        List<String> problems = new ArrayList<>();
        WorkerConfig config = null;
        try {
            config = resolveConfig();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        checkCommandOptions(problems);
        AgentLoadException agentProblem = null;
        LoadedAgent loaded = null;
        try {
            loaded = loadAgent(config, problems);
        } catch (AgentLoadException e) {
            agentProblem = e;
        }
        if (config != null) {
            checkRunDirectory(config, problems);
        }
        if (problems.isEmpty() && agentProblem != null) {
            throw agentProblem; // the jar alone: its line, no option hint
        }
        if (!problems.isEmpty()) {
            if (loaded != null) {
                loaded.close();
            }
            if (agentProblem != null) {
                problems.add(agentProblem.getMessage());
            }
            throw new ConfigException(problems);
        }
        try {
            refuseIfAlreadyRunning(config);
        } catch (CommandFailure e) {
            loaded.close();
            throw e;
        }
        LoggingSetup.apply(config.logFormat(), config.logLevel());
        log.info("lk-worker {} starting in {} mode: agent jar {}, server {}", VersionProvider.version(),
                config.mode(), config.agentJar(), config.url() != null ? config.url() : "embedded dev server");
        sources.configFile().ifPresent(file -> log.info("config file {}", file));
        warnAboutUnreadLogVariables();
        if (matched(ConfigKeys.API_SECRET)) {
            log.warn("--api-secret was given on the command line, where other users of this machine can read it;"
                    + " set LIVEKIT_API_SECRET instead");
        }
        log.debug("{}", config);
        log.info("agent {} loaded", loaded.className());
        return launch(config, loaded);
    }

    /**
     * The agent; null when it cannot be tried. With settings that failed, the jar named by --agent is
     * still checked (unless --agent-class itself is the problem), so that its problem is reported in
     * the same run.
     */
    private LoadedAgent loadAgent(WorkerConfig config, List<String> problems) throws AgentLoadException {
        Path jar;
        String agentClass;
        if (config != null) {
            jar = config.agentJar();
            agentClass = config.agentClass();
        } else {
            RawValue given = given(ConfigKeys.AGENT);
            RawValue givenClass = given(ConfigKeys.AGENT_CLASS);
            boolean classIsWrong = problems.stream().anyMatch(p -> p.startsWith(ConfigKeys.option(ConfigKeys.AGENT_CLASS) + ":"));
            if (given == null || given.value().isBlank() || classIsWrong) {
                return null;
            }
            try {
                jar = Path.of(given.value().trim());
            } catch (InvalidPathException e) {
                return null; // the settings' problems say so
            }
            agentClass = givenClass == null || givenClass.value().isBlank() ? null : givenClass.value().trim();
        }
        return AgentLoader.load(jar, agentClass);
    }

    private static void checkRunDirectory(WorkerConfig config, List<String> problems) {
        try {
            TrustedDirectory.ensure(config.runDir());
        } catch (TrustedDirectory.UntrustedException e) {
            problems.add("--run-dir: " + e.getMessage());
        } catch (java.io.IOException e) {
            problems.add("--run-dir: cannot create " + config.runDir() + ": " + e);
        }
    }

    /**
     * LOG_FORMAT and LOG_LEVEL were documented once (and may still be set in an old
     * /etc/default/lk-worker) but are not read: the settings are log-format and log-level, like every
     * other one. Say so rather than ignore them silently.
     */
    private void warnAboutUnreadLogVariables() {
        for (String key : List.of(ConfigKeys.LOG_FORMAT, ConfigKeys.LOG_LEVEL)) {
            String unread = key.replace('-', '_').toUpperCase(Locale.ROOT);
            if (context.env().containsKey(unread)) {
                log.warn("{} is set but not read; use {} or {} instead", unread, ConfigKeys.envVar(key),
                        ConfigKeys.option(key));
            }
        }
    }

    /**
     * Two daemons sharing a pid file would make {@code drain} and {@code status} talk to the wrong
     * one; a live lk-worker behind the pid file stops this start (a stale file does not).
     */
    private static void refuseIfAlreadyRunning(WorkerConfig config) throws CommandFailure {
        RunFiles files = new RunFiles(Daemon.pidFile(config));
        DaemonProcess running;
        try {
            running = DaemonProcess.fromPidFile(files);
        } catch (CommandFailure noneOrStale) {
            return;
        }
        if (running.pid() != ProcessHandle.current().pid()) {
            throw new CommandFailure("an lk-worker daemon is already running with pid file " + files.pidFile()
                    + " (pid " + running.pid() + "); stop it with 'lk-worker drain', or give this one --pid-file");
        }
    }

    /** The options of this command alone (not settings), each problem one line; none for {@code start}. */
    void checkCommandOptions(List<String> problems) {
    }

    /** Hands over to the daemon; {@code dev} adds its own wrapping. */
    int launch(WorkerConfig config, LoadedAgent loaded) throws Exception {
        return context.daemon().run(config, loaded);
    }

    CliContext context() {
        return context;
    }

    /** Flag > environment > config file > this mode's default, validated. */
    WorkerConfig resolveConfig() throws ConfigException {
        sources.check();
        return new ConfigResolver(mode(), context.env()).resolve(this::given);
    }

    /** The command line's value if the option was given there, else the environment's or the file's. */
    RawValue given(String key) {
        OptionSpec option = spec.findOption(ConfigKeys.option(key));
        if (option != null && matched(key)) {
            Object value = option.getValue();
            return RawValue.commandLine(value == null ? "" : value.toString());
        }
        return sources.lookup(key);
    }

    private boolean matched(String key) {
        OptionSpec option = spec.findOption(ConfigKeys.option(key));
        return option != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
