package io.lkworker.cli;

import io.lkworker.config.WorkerConfig.Mode;
import picocli.CommandLine.Command;

/** {@code lk-worker start}: production defaults; URL, API key and secret are required. */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Run the worker in production: connect to the LiveKit server and run jobs with the agent jar.",
        footer = {"",
            "Each option may also come from the environment (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET,",
            "LIVEKIT_AGENT_NAME, LIVEKIT_AGENT_DEPLOYMENT, and LKW_<OPTION> for the rest, e.g. LKW_LOAD_THRESHOLD)",
            "or from the config file. Precedence: command line > environment > config file > default.",
            "Exit codes: 0 stopped cleanly (drained), 1 runtime failure (the last line says why), 2 bad usage,",
            "configuration, agent jar or run directory, 3 the drain timed out and running jobs were stopped,",
            "130 stopped by a second SIGTERM/SIGINT (running jobs killed)."})
final class StartCommand extends RunCommand {

    StartCommand(CliContext context) {
        super(context);
    }

    @Override
    Mode mode() {
        return Mode.PROD;
    }
}
