package io.lkworker.cli;

import io.lkworker.config.WorkerConfig.Mode;
import picocli.CommandLine.Command;

/**
 * {@code lk-worker dev}: development defaults (no load limit, one warm process, loopback health
 * server on a random port, DEBUG text logs). Without a URL the daemon runs an embedded server, and
 * the API key and secret default to {@code devkey}/{@code secret}.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Run the worker for development. Without --url it starts an embedded local LiveKit server;"
                + " the API key and secret default to devkey/secret.",
        footer = {"",
            "Each option may also come from the environment (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET,",
            "LIVEKIT_AGENT_NAME, LIVEKIT_AGENT_DEPLOYMENT, and LKW_<OPTION> for the rest, e.g. LKW_LOAD_THRESHOLD)",
            "or from the config file. Precedence: command line > environment > config file > default.",
            "Exit codes: 0 stopped cleanly, 1 runtime failure, 2 bad usage, configuration or agent jar."})
final class DevCommand extends RunCommand {

    DevCommand(CliContext context) {
        super(context);
    }

    @Override
    Mode mode() {
        return Mode.DEV;
    }
}
