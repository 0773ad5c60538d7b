package io.lkworker.loop;

import java.io.IOException;
import java.nio.channels.SelectionKey;

/** Reacts to readiness of a channel registered with the loop. Runs on the loop thread. */
@FunctionalInterface
public interface ChannelHandler {
    void onReady(SelectionKey key) throws IOException;
}
