package io.lkworker.cli;

import picocli.CommandLine.Option;

/**
 * The permissions registered with the server, which copies them into every job token. The
 * booleans are negatable ({@code --no-can-publish}); they are Boolean objects so "not given" (null)
 * differs from false, and picocli gives them no default (see ConfigSources).
 */
public final class PermissionOptions {

    @Option(names = "--can-publish", negatable = true, order = 30,
            description = "The agent may publish tracks. Default: true.")
    Boolean canPublish;

    @Option(names = "--can-subscribe", negatable = true, order = 31,
            description = "The agent may subscribe to tracks. Default: true.")
    Boolean canSubscribe;

    @Option(names = "--can-publish-data", negatable = true, order = 32,
            description = "The agent may send data messages. Default: true.")
    Boolean canPublishData;

    @Option(names = "--can-update-metadata", negatable = true, order = 33,
            description = "The agent may update its own metadata. Default: true.")
    Boolean canUpdateMetadata;

    @Option(names = "--hidden", negatable = true, order = 34,
            description = "The agent is hidden from other participants. Default: false.")
    Boolean hidden;

    @Option(names = "--can-publish-sources", paramLabel = "SOURCES", order = 35,
            description = "Comma-separated track sources the agent may publish: camera, microphone, "
                    + "screen_share, screen_share_audio. Default: all.")
    String canPublishSources;
}
