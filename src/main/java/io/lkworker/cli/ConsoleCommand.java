package io.lkworker.cli;

import io.lkworker.DefaultExecutors;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.ConfigResolver;
import io.lkworker.config.RawValue;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.config.WorkerConfig;
import io.lkworker.console.ConsoleJob;
import io.lkworker.console.ConsoleRunner;
import io.lkworker.console.ConsoleSignals;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker console}: runs one job of the agent locally, with no LiveKit server, to try an
 * agent out: onRequest, then the entrypoint through the daemon's own executor, logs as text on
 * standard output. Settings not offered here take dev's built-in defaults.
 */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Run one job of the agent locally, without a LiveKit server, and exit with its result.",
        footer = {"",
            "The job is JT_ROOM with an AJ_console... id. Its URL (" + ConsoleJob.PLACEHOLDER_URL + ") and room token",
            "(signed with the dev credentials devkey/secret) are placeholders: they only work against a local",
            "'livekit-server --dev'. Ctrl-C asks the job to shut down; a second Ctrl-C stops at once.",
            "Exit codes: 0 the job succeeded, 1 it failed or the agent rejected it, 2 bad usage or agent jar,",
            "130 stopped by a second Ctrl-C."})
final class ConsoleCommand extends OperatorCommand {

    /** A second Ctrl-C: the shell's convention for "killed by SIGINT". */
    static final int EXIT_ABORTED = 130;

    @Option(names = "--agent", paramLabel = "JAR", order = 10, description = "The agent jar (required). Env LKW_AGENT.")
    String agent;

    @Option(names = "--agent-class", paramLabel = "CLASS", order = 11,
            description = "The Agent implementation to run. Default: the one in the jar's META-INF/services.")
    String agentClass;

    @Option(names = "--room", paramLabel = "ROOM", order = 12,
            description = "Room name of the job. Default: " + ConsoleJob.DEFAULT_ROOM + ".")
    String room;

    @Option(names = "--metadata", paramLabel = "TEXT", order = 13, description = "Job metadata. Default: none.")
    String metadata;

    @Option(names = "--agent-name", paramLabel = "NAME", order = 14,
            description = "Agent name the job is dispatched to. Env LIVEKIT_AGENT_NAME. Default: none.")
    String agentName;

    @Option(names = "--job-executor", paramLabel = "KIND", order = 15,
            description = "process (a child JVM) or thread. Default: process (thread if this build has no process"
                    + " executor).")
    String jobExecutor;

    @Option(names = "--log-level", paramLabel = "LEVEL", order = 16,
            description = "TRACE, DEBUG, INFO, WARN or ERROR. Logs are text on standard output. Default: DEBUG.")
    String logLevel;

    @Option(names = "--request-timeout", paramLabel = "DURATION", order = 17,
            description = "Deadline for the agent's onRequest. Default: 2s.")
    String requestTimeout;

    @Option(names = "--entrypoint-grace", paramLabel = "DURATION", order = 18,
            description = "How long the entrypoint may take to return after Ctrl-C. Default: 15s.")
    String entrypointGrace;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", order = 19,
            description = "Deadline for shutdown callbacks (and a job process's shutdown steps). Default: 10s.")
    String shutdownTimeout;

    @Option(names = "--job-jvm-options", paramLabel = "OPTIONS", order = 20,
            description = "Extra JVM options for the job process (process executor).")
    String jobJvmOptions;

    ConsoleCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws Exception {
        WorkerConfig config = new ConfigResolver(Mode.DEV, context.env()).resolve(this::given);
        LoggingSetup.apply(LogFormat.TEXT, config.logLevel());
        ConsoleRunner.Result result;
        try (LoadedAgent loaded = AgentLoader.load(config.agentJar(), config.agentClass())) {
            ConsoleRunner runner = new ConsoleRunner(config, loaded,
                    DefaultExecutors.defaultFactory(),
                    new ConsoleJob(room, metadata, config.agentName()));
            try (ConsoleSignals signals = ConsoleSignals.install(runner)) {
                result = runner.run();
            }
        }
        String job = "job " + result.jobId();
        switch (result.kind()) {
            case SUCCEEDED -> {
                out().println(job + " succeeded");
                out().flush();
                return ExitCodes.OK;
            }
            case FAILED -> throw new CommandFailure(job + " failed: " + result.detail());
            case REJECTED -> throw new CommandFailure(job + " was not run: " + result.detail());
            default -> throw new CommandFailure(job + ": " + result.detail(), EXIT_ABORTED);
        }
    }

    /** This command's options (command line, else environment or config file); other settings take defaults. */
    private RawValue given(String key) {
        OptionSpec option = spec.findOption(ConfigKeys.option(key));
        if (option == null) {
            return null;
        }
        if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
            Object value = option.getValue();
            return RawValue.commandLine(value == null ? "" : value.toString());
        }
        return sources().lookup(key);
    }
}
