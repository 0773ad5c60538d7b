package io.lkworker.config;

import java.util.List;

/**
 * The permissions a worker registers with; the server copies them into every job token.
 *
 * @param canPublishSources track sources the agent may publish (camera, microphone,
 *     screen_share, screen_share_audio); empty = all
 */
public record WorkerPermissions(boolean canPublish, boolean canSubscribe, boolean canPublishData,
                                boolean canUpdateMetadata, boolean hidden, List<String> canPublishSources) {
    public WorkerPermissions {
        canPublishSources = List.copyOf(canPublishSources);
    }

    /** The defaults of livekit/agents {@code worker.py} {@code WorkerPermissions}: everything allowed, not hidden. */
    public static WorkerPermissions defaults() {
        return new WorkerPermissions(true, true, true, true, false, List.of());
    }
}
