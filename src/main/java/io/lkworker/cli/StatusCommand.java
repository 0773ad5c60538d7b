package io.lkworker.cli;

import io.lkworker.RunFiles;
import io.lkworker.config.ConfigException;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker status}: what a running daemon is doing, from its health server's
 * {@code GET /worker}. The health URL is {@code --health-url}, else the one the daemon published in
 * {@code <pid file>.json}.
 *
 * <p>The option is not called {@code --url}: every option named like a setting takes its default
 * from the environment, and {@code --url}'s is {@code LIVEKIT_URL} — the LiveKit server, which the
 * README tells production users to export. {@code --url} is still accepted on the command line
 * (older scripts), but only {@code --health-url}'s name decides where a default could come from,
 * and no setting has that name, so nothing in the environment is reinterpreted.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Show a running worker's state and jobs (from its health server).",
        footer = {"", "Exit codes: 0 shown, 1 nothing running or the health server cannot be reached, 2 bad usage."})
final class StatusCommand extends OperatorCommand {

    @Mixin
    PidFileOptions location;

    @Option(names = {"--health-url", "--url"}, paramLabel = "URL", order = 4,
            description = "The health server to ask, e.g. http://127.0.0.1:8081 (skips the pid file). "
                    + "Not read from the environment: LIVEKIT_URL is the LiveKit server, not this.")
    String url;

    StatusCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws CommandFailure, ConfigException, InterruptedException {
        HealthClient health = url != null && !url.isBlank() ? new HealthClient(url, "--health-url")
                : new HealthClient(publishedHealthUrl());
        out().print(WorkerStatusView.render(health.worker()));
        out().flush();
        return ExitCodes.OK;
    }

    private String publishedHealthUrl() throws CommandFailure, ConfigException {
        RunFiles files = new RunFiles(location.resolve(context.env()));
        DaemonProcess daemon = DaemonProcess.fromPidFile(files);
        Optional<String> published;
        try {
            published = files.readHealthUrl();
        } catch (IOException | RuntimeException e) {
            throw new CommandFailure("cannot read " + files.infoFile() + ": " + e.getMessage());
        }
        return published.orElseThrow(() -> new CommandFailure("lk-worker " + daemon.pid()
                + " has no health server (started with --health-port -1, or " + files.infoFile()
                + " is missing); status needs one"));
    }
}
