package io.lkworker.cli;

import io.lkworker.config.ConfigException;
import io.lkworker.serverlink.AccessToken;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import livekit.LivekitAgentDispatch.AgentDispatch;
import livekit.LivekitAgentDispatch.CreateAgentDispatchRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker dispatch}: asks LiveKit to dispatch an agent to a room, through the server API
 * ({@code AgentDispatchService.CreateDispatch} over Twirp), the way {@code lk dispatch create} does.
 * Prints the new dispatch's id.
 *
 * <p>Without credentials, a loopback URL gets LiveKit's dev pair (devkey/secret, what
 * {@code livekit-server --dev} and {@code lk-worker dev} accept); any other server needs real ones.
 */
@Command(name = "dispatch", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Create an agent dispatch in a room through the LiveKit server API; prints the dispatch id.",
        footer = {"",
            "Options may also come from the environment (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET,",
            "LIVEKIT_AGENT_NAME) or the config file. Without a URL: http://127.0.0.1:7880; with a loopback URL",
            "and no credentials: devkey/secret.",
            "Exit codes: 0 created, 1 the server refused or cannot be reached, 2 bad usage or missing credentials."})
final class DispatchCommand extends OperatorCommand {

    static final String DEFAULT_URL = "http://127.0.0.1:7880";
    static final String SERVICE = "livekit.AgentDispatchService";
    /** Long enough for one call under clock skew; short, since the token is a room-admin grant. */
    static final Duration TOKEN_TTL = Duration.ofMinutes(10);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    @Option(names = "--room", paramLabel = "ROOM", required = true, order = 10,
            description = "The room to dispatch the agent to (created if it does not exist).")
    String room;

    @Option(names = "--agent-name", paramLabel = "NAME", order = 11,
            description = "The agent to dispatch. Env LIVEKIT_AGENT_NAME. Default: \"\" (automatic-dispatch agents).")
    String agentName;

    @Option(names = "--metadata", paramLabel = "TEXT", order = 12,
            description = "Metadata handed to the job. Default: none.")
    String metadata;

    @Option(names = "--url", paramLabel = "URL", order = 13,
            description = "LiveKit server URL (ws, wss, http or https). Env LIVEKIT_URL. Default: " + DEFAULT_URL + ".")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", order = 14,
            description = "LiveKit API key. Env LIVEKIT_API_KEY. Default for a loopback URL: devkey.")
    String apiKey;

    @Option(names = "--api-secret", paramLabel = "SECRET", order = 15,
            description = "LiveKit API secret; prefer env LIVEKIT_API_SECRET (a command line is visible to every"
                    + " user). Default for a loopback URL: secret.")
    String apiSecret;

    DispatchCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws CommandFailure, ConfigException, InterruptedException {
        if (room.isBlank()) {
            throw new ConfigException("--room: must not be empty");
        }
        URI server = httpUrl(blankToNull(url) != null ? url.strip() : DEFAULT_URL);
        ServerCredentials credentials = ServerCredentials.resolve(server, apiKey, apiSecret);
        CreateAgentDispatchRequest request = CreateAgentDispatchRequest.newBuilder()
                .setRoom(room)
                .setAgentName(agentName == null ? "" : agentName.strip())
                .setMetadata(metadata == null ? "" : metadata)
                .build();
        String base = server.toString().replaceAll("/+$", "");
        AgentDispatch dispatch = new TwirpClient(base).call(SERVICE, "CreateDispatch", request,
                AgentDispatch.parser(), token(credentials.apiKey(), credentials.apiSecret(), room,
                System.currentTimeMillis()));
        out().println(dispatch.getId());
        out().flush();
        return ExitCodes.OK;
    }

    /** A server-API token: iss = key, valid now for {@link #TOKEN_TTL}, room admin of {@code room} only. */
    static String token(String key, String secret, String room, long nowMillis) {
        return AccessToken.roomAdminToken(key, secret, room, nowMillis, TOKEN_TTL);
    }

    /** The server's API base: ws → http, wss → https; path kept (a reverse proxy may mount LiveKit under one). */
    static URI httpUrl(String text) throws ConfigException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException("--url: not a valid URL, got '" + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String http = switch (scheme) {
            case "ws", "http" -> "http";
            case "wss", "https" -> "https";
            default -> throw new ConfigException("--url: scheme must be ws, wss, http or https, got '" + text + "'");
        };
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ConfigException("--url: has no host name, got '" + text + "'");
        }
        try {
            return new URI(http, null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
        } catch (URISyntaxException e) {
            throw new ConfigException("--url: not a valid URL, got '" + text + "'");
        }
    }

    /** localhost or a loopback IP literal; no DNS lookup (a name that resolves to 127.0.0.1 elsewhere is not trusted). */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (IPV4.matcher(h).matches()) {
            return h.startsWith("127.");
        }
        return h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    private static String blankToNull(String s) {
        return ServerCredentials.blankToNull(s);
    }
}
