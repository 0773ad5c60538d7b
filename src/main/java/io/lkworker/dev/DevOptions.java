package io.lkworker.dev;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What only {@code lk-worker dev} has.
 *
 * @param serverPort port of the embedded LiveKit-protocol server when no URL is configured
 * @param watch extra directories whose changes trigger a reload (e.g. target/classes)
 * @param restartJobs on reload, restart running jobs on the new code (true) or let them finish (false)
 * @param dispatchRoom when set, dispatch a job to this room once the worker is registered
 * @param dispatchMetadata metadata of that dispatch
 * @param debounce quiet period after the last change before reloading
 * @param playgroundClientJs a local livekit-client UMD bundle the playground page loads instead of the
 *                 CDN's pinned one (offline use, tests), or null
 */
public record DevOptions(int serverPort, List<Path> watch, boolean restartJobs, String dispatchRoom,
                         String dispatchMetadata, Duration debounce, Path playgroundClientJs) {

    /** Without a local livekit-client: the playground loads the pinned one from the CDN. */
    public DevOptions(int serverPort, List<Path> watch, boolean restartJobs, String dispatchRoom,
                      String dispatchMetadata, Duration debounce) {
        this(serverPort, watch, restartJobs, dispatchRoom, dispatchMetadata, debounce, null);
    }

    /** Long enough for a build tool to finish writing a jar, short enough to feel immediate. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(400);
    public static final int DEFAULT_SERVER_PORT = 7880;

    public DevOptions {
        watch = List.copyOf(watch);
        dispatchMetadata = dispatchMetadata == null ? "" : dispatchMetadata;
    }

    public static DevOptions defaults() {
        return new DevOptions(DEFAULT_SERVER_PORT, List.of(), true, null, "", DEFAULT_DEBOUNCE);
    }
}
