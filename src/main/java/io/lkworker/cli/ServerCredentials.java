package io.lkworker.cli;

import io.lkworker.config.ConfigDefaults;
import io.lkworker.config.ConfigException;
import java.net.URI;

/**
 * The API key and secret an operator command signs its tokens with: the ones given, or LiveKit's
 * development pair (devkey/secret) for a loopback server when none is given. Never logged.
 */
record ServerCredentials(String apiKey, String apiSecret) {

    static ServerCredentials resolve(URI server, String key, String secret) throws ConfigException {
        String k = blankToNull(key);
        String s = blankToNull(secret);
        if (k == null && s == null && DispatchCommand.isLoopback(server.getHost())) {
            return new ServerCredentials(ConfigDefaults.DEV_API_KEY, ConfigDefaults.DEV_API_SECRET);
        }
        if (k == null || s == null) {
            throw new ConfigException((k == null ? "--api-key" : "--api-secret") + ": required for " + server
                    + " (or set " + (k == null ? "LIVEKIT_API_KEY" : "LIVEKIT_API_SECRET") + ")");
        }
        return new ServerCredentials(k, s);
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    public String toString() {
        return "ServerCredentials[" + apiKey + ", <secret>]";
    }
}
