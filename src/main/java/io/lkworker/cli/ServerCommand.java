package io.lkworker.cli;

import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.WorkerConfig.LogFormat;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code lk-worker server}: the embedded LiveKit-protocol server of {@code dev}, on its own, for
 * workers ({@code lk-worker start}, other SDKs' workers) and clients that want a local server without
 * a dev worker taking every room (issue 20, item 6). It has LiveKit's development credentials, like
 * {@code livekit-server --dev}, and reads nothing from the environment: an exported
 * {@code LIVEKIT_URL} or secret is another server's.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = {"Run the embedded LiveKit-protocol server of dev on its own (no worker), for lk-worker start,",
            "other workers and clients. API key devkey, secret secret; reads no environment variable."},
        footer = {"", "Exit codes: 0 stopped (Ctrl-C or SIGTERM), 1 the port cannot be listened on, 2 bad usage."})
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7880",
            description = "Port to listen on (loopback only); 0 = any free port. Default: 7880.")
    int port;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandFailure("--port: must be between 0 and 65535, got " + port, ExitCodes.USAGE);
        }
        LoggingSetup.apply(LogFormat.TEXT, "INFO");
        LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().port(port)
                .apiKey(ConfigDefaults.DEV_API_KEY, ConfigDefaults.DEV_API_SECRET)
                // as under dev: a dispatch made before a worker registers still gets its job, and the
                // machine's CPU load never hides a worker
                .offerUnservedDispatches(true).rejectUnservedAgentNames(true)
                .targetLoad(Double.POSITIVE_INFINITY)
                .build());
        try {
            server.start();
        } catch (BindException e) {
            server.close();
            throw new CommandFailure("--port: cannot listen on port " + port + " (" + e.getMessage()
                    + "); another lk-worker dev or server, or a LiveKit server, has it: give another with --port PORT");
        } catch (IOException e) {
            server.close();
            throw new CommandFailure("cannot start the server on port " + port + ": " + e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> stop.countDown());
        }
        int actual = server.port();
        var out = spec.commandLine().getOut();
        // the dev pair is public (livekit-server --dev has it): printing it here leaks nothing
        out.println("LiveKit-protocol server listening at ws://127.0.0.1:" + actual + " (API key "
                + ConfigDefaults.DEV_API_KEY + ", secret " + ConfigDefaults.DEV_API_SECRET + "); Ctrl-C stops it");
        out.println("run a worker on it:  LIVEKIT_API_SECRET=" + ConfigDefaults.DEV_API_SECRET
                + " lk-worker start --url ws://127.0.0.1:" + actual + " --api-key " + ConfigDefaults.DEV_API_KEY
                + " --agent JAR --agent-name NAME");
        out.println("dispatch a job:      lk-worker dispatch --url http://127.0.0.1:" + actual
                + " --room my-room --agent-name NAME");
        out.flush();
        try {
            stop.await();
        } finally {
            server.close();
        }
        return ExitCodes.OK;
    }
}
