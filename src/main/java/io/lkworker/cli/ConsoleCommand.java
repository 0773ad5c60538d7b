package io.lkworker.cli;

import io.lkworker.DefaultExecutors;
import io.lkworker.config.ConfigKeys;
import io.lkworker.config.ConfigResolver;
import io.lkworker.config.RawValue;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.config.WorkerConfig.Mode;
import io.lkworker.config.WorkerConfig;
import io.lkworker.config.ConfigException;
import io.lkworker.console.ConsoleJob;
import io.lkworker.console.ConsoleParticipant;
import io.lkworker.console.ConsoleRunner;
import io.lkworker.console.ConsoleSignals;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.talk.WavFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker console}: runs one job of the agent locally to try it out: onRequest, then the
 * entrypoint through the daemon's own executor, logs as text on standard output. The job's room is
 * on an embedded LiveKit server of the console's own, on a free loopback port (never a server the
 * environment names: a job there would meet that server's workers, issue 20), where a participant
 * stands for the person at the terminal ({@link ConsoleParticipant}). Settings not offered here take
 * dev's built-in defaults.
 */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Run one job of the agent locally, on an embedded LiveKit server of its own, and exit with its"
                + " result.",
        footer = {"",
            "The job is JT_ROOM with an AJ_console... id, in a room on an embedded server on a free loopback port",
            "(LIVEKIT_URL and servers on 7880 are never used). When the agent joins its room, you are there as",
            "participant '" + ConsoleParticipant.IDENTITY + "': each line typed is sent to the room as data on topic '"
                    + ConsoleParticipant.TOPIC + "', data sent",
            "to you is printed ('agent-... [chat]: echo: hi'), --wav plays as your microphone (then silence) and",
            "--record keeps the agent's audio. No sound card is used. Agents that never connect see no change.",
            "End of input (Ctrl-D) or Ctrl-C asks the job to shut down; a second Ctrl-C stops at once.",
            "Exit codes: 0 the job succeeded, 1 it failed or the agent rejected it, 2 bad usage, agent jar or",
            "--wav/--record file, 130 stopped by a second Ctrl-C."})
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

    @Option(names = "--wav", paramLabel = "FILE", order = 21,
            description = "Play this WAV file (16-bit PCM, mono or stereo) once as your microphone, then silence."
                    + " Default: silence.")
    Path wav;

    @Option(names = "--record", paramLabel = "FILE", order = 22,
            description = "Write the agent's audio (the first track it publishes) to this WAV file, 48 kHz mono.")
    Path record;

    ConsoleCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws Exception {
        List<AudioFrame> microphone = microphone();
        checkRecord();
        WorkerConfig config = new ConfigResolver(Mode.DEV, context.env()).resolve(this::given);
        LoggingSetup.apply(LogFormat.TEXT, config.logLevel());
        ConsoleJob consoleJob = new ConsoleJob(room, metadata, config.agentName());
        ConsoleRunner.Result result;
        try (LoadedAgent loaded = AgentLoader.load(config.agentJar(), config.agentClass());
                // Port 0: a free port, so a dev server or livekit-server on 7880 is never joined (issue 20).
                // Its default credentials are the dev ones ConsoleJob and ConsoleParticipant sign with.
                LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().port(0).build()).start()) {
            ConsoleRunner runner = new ConsoleRunner(config, loaded, DefaultExecutors.defaultFactory(), consoleJob,
                    server.url());
            ConsoleParticipant person;
            try {
                person = ConsoleParticipant.join(server.url(), consoleJob.room(), microphone, wav, record, System.in,
                        out(), () -> runner.interrupt("end of input"));
            } catch (RoomException e) {
                throw new CommandFailure("cannot join the console room: " + e.getMessage());
            }
            try (person; ConsoleSignals signals = ConsoleSignals.install(runner)) {
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

    private List<AudioFrame> microphone() throws ConfigException, java.io.IOException {
        if (wav == null) {
            return null;
        }
        if (!Files.isReadable(wav) || Files.isDirectory(wav)) {
            throw new ConfigException("--wav: cannot read " + wav);
        }
        try {
            return WavFile.read(wav).frames();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--wav: " + e.getMessage());
        }
    }

    /** Fails before the job starts, not when the agent's first audio arrives. */
    private void checkRecord() throws ConfigException {
        if (record == null) {
            return;
        }
        Path parent = record.toAbsolutePath().getParent();
        if (Files.isDirectory(record) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            throw new ConfigException("--record: cannot write " + record);
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
