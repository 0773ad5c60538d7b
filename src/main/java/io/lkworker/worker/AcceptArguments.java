package io.lkworker.worker;

import java.util.Map;

/** The resolved answer to an accepted job: defaults applied, agent-name attribute added. */
public record AcceptArguments(String identity, String name, String metadata, Map<String, String> attributes) {
    public AcceptArguments {
        attributes = Map.copyOf(attributes);
    }
}
