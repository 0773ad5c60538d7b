package io.lkworker.cli;

import io.lkworker.config.ConfigKeys;
import io.lkworker.config.RawValue;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.dev.DevOptions;
import io.lkworker.runner.LoadedAgent;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code lk-worker dev}: development defaults (no load limit, one warm process, loopback health
 * server on a random port, DEBUG text logs). Without a URL the daemon runs an embedded server, and
 * the API key and secret default to {@code devkey}/{@code secret}.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = {"Run the worker for development. Without a URL (--url, LIVEKIT_URL or the config file's url)"
                + " it starts an embedded local LiveKit server; the API key and secret default to devkey/secret.",
            "A URL from the environment or the config file is announced on stderr (LIVEKIT_URL= lk-worker dev"
                + " ... uses the embedded server instead)."},
        footer = {"",
            "Each option may also come from the environment (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET,",
            "LIVEKIT_AGENT_NAME, LIVEKIT_AGENT_DEPLOYMENT, and LKW_<OPTION> for the rest, e.g. LKW_LOAD_THRESHOLD)",
            "or from the config file. Precedence: command line > environment > config file > default.",
            "Exit codes: 0 stopped cleanly (the first Ctrl-C stops the jobs gracefully), 1 runtime failure (the",
            "last line says why), 2 bad usage, configuration, agent jar or run directory, 130 stopped by a second",
            "Ctrl-C (running jobs killed)."})
final class DevCommand extends RunCommand {

    private static final Logger log = LoggerFactory.getLogger("io.lkworker");

    @Option(names = "--dev-server-port", paramLabel = "PORT", defaultValue = "7880",
            description = "Port of the embedded LiveKit-protocol server started when no --url is given. Default: 7880.")
    int devServerPort;

    @Option(names = "--watch", paramLabel = "DIR",
            description = "Also reload when files under DIR change (repeatable), e.g. target/classes.")
    List<Path> watch = new ArrayList<>();

    @Option(names = "--reload-jobs", paramLabel = "restart|keep", defaultValue = "restart",
            description = "On reload, restart running jobs on the new code as the same participant (restart),"
                    + " or let them finish on the old code (keep). Default: restart.")
    String reloadJobs;

    @Option(names = "--dispatch-room", paramLabel = "ROOM",
            description = "Once registered, dispatch a job to ROOM on the embedded server (quick start).")
    String dispatchRoom;

    @Option(names = "--dispatch-metadata", paramLabel = "TEXT", defaultValue = "",
            description = "Metadata of the --dispatch-room job.")
    String dispatchMetadata;

    @Option(names = "--playground-client-js", paramLabel = "PATH",
            description = "The playground page (http://127.0.0.1:PORT/) loads this livekit-client UMD bundle"
                    + " (dist/livekit-client.umd.js) instead of the pinned version from cdn.jsdelivr.net, e.g. offline.")
    Path playgroundClientJs;

    DevCommand(CliContext context) {
        super(context);
    }

    @Override
    int launch(WorkerConfig config, LoadedAgent loaded) throws Exception {
        announceServer(config);
        return context().dev().run(config, loaded, devOptions());
    }

    /**
     * Says which server dev uses when it is not the embedded one: a LIVEKIT_URL exported for production
     * (as the README's "Running against a LiveKit server" does) would otherwise silently point a
     * development worker at a real server — and one without an agent name is offered a job in every
     * room there. On stderr, so it is seen whatever the log level and format.
     */
    private void announceServer(WorkerConfig config) {
        if (config.url() == null) {
            return; // DevRunner logs the embedded server's address once it listens
        }
        RawValue url = given(ConfigKeys.URL);
        boolean typed = url == null || RawValue.COMMAND_LINE.equals(url.source());
        List<String> lines = new ArrayList<>();
        lines.add("lk-worker dev: using the LiveKit server at " + config.url()
                + (typed ? "" : " (from " + url.source() + ")") + ", not the embedded server");
        if (!typed) {
            lines.add("lk-worker dev: to use the embedded server instead, clear it for this command: "
                    + ConfigKeys.envVar(ConfigKeys.URL) + "= lk-worker dev ...");
        }
        if (config.agentName().isEmpty()) {
            lines.add("lk-worker dev: no --agent-name: that server offers this worker a job for every room it has;"
                    + " give --agent-name to get only the jobs dispatched to that name");
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String line : lines) {
            err.println(line);
            log.warn("{}", line.substring("lk-worker dev: ".length()));
        }
        err.flush();
    }

    /** Checked with the settings, so that their problems are reported together and before anything runs. */
    @Override
    void checkCommandOptions(List<String> problems) {
        if (!List.of("restart", "keep").contains(reloadJobs.toLowerCase())) {
            problems.add("--reload-jobs: must be restart or keep, got '" + reloadJobs + "'");
        }
        if (devServerPort < 0 || devServerPort > 65535) {
            problems.add("--dev-server-port: must be between 0 and 65535, got " + devServerPort);
        }
        if (playgroundClientJs != null && !Files.isReadable(playgroundClientJs)) {
            problems.add("--playground-client-js: not a readable file: " + playgroundClientJs);
        }
        for (Path dir : watch) {
            if (!Files.isDirectory(dir)) {
                problems.add("--watch: not a directory: " + dir);
            }
        }
    }

    DevOptions devOptions() {
        List<String> problems = new ArrayList<>();
        checkCommandOptions(problems);
        if (!problems.isEmpty()) {
            throw new ParameterException(spec.commandLine(), problems.get(0));
        }
        boolean restart = reloadJobs.equalsIgnoreCase("restart");
        return new DevOptions(devServerPort, watch, restart, dispatchRoom, dispatchMetadata, DevOptions.DEFAULT_DEBOUNCE,
                playgroundClientJs == null ? null : playgroundClientJs.toAbsolutePath());
    }

    @Override
    Mode mode() {
        return Mode.DEV;
    }
}
