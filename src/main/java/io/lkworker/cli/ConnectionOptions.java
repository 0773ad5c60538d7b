package io.lkworker.cli;

import picocli.CommandLine.Option;

/**
 * Where the LiveKit server is and how to authenticate.
 *
 * <p>Every option mixin holds the raw text of its options: after parsing, a field holds the
 * command-line value, else the environment's, else the config file's (through
 * {@link io.lkworker.config.ConfigSources}); built-in defaults and validation are applied by
 * {@link io.lkworker.config.ConfigResolver}, which reads the options by name. Help texts never use
 * {@code ${DEFAULT-VALUE}}: the "default" there would be the environment's value, secret included.
 */
public final class ConnectionOptions {

    @Option(names = "--url", paramLabel = "URL", order = 10,
            description = "LiveKit server URL: ws, wss, http or https. Env LIVEKIT_URL. "
                    + "Required for start; dev without it runs an embedded local server.")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", order = 11,
            description = "LiveKit API key. Env LIVEKIT_API_KEY. Required for start; dev defaults to 'devkey'.")
    String apiKey;

    @Option(names = "--api-secret", paramLabel = "SECRET", order = 12,
            description = "LiveKit API secret. Prefer env LIVEKIT_API_SECRET: a command line is visible to "
                    + "every user of the machine. Required for start; dev defaults to 'secret'.")
    String apiSecret;
}
