package io.lkworker.api;

import java.util.HashMap;
import java.util.Map;

/**
 * How the agent joins the room when it accepts a job. Empty values take defaults: identity
 * {@code agent-<job id>}; the attribute {@code lk.agent.name} is always added.
 *
 * @param identity participant identity in the job token, "" for the default
 * @param name participant display name
 * @param metadata participant metadata
 * @param attributes participant attributes (never null)
 */
public record AcceptOptions(String identity, String name, String metadata, Map<String, String> attributes) {
    public AcceptOptions {
        identity = identity == null ? "" : identity;
        name = name == null ? "" : name;
        metadata = metadata == null ? "" : metadata;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** All defaults. */
    public static AcceptOptions defaults() {
        return new AcceptOptions("", "", "", Map.of());
    }

    public AcceptOptions withIdentity(String value) {
        return new AcceptOptions(value, name, metadata, attributes);
    }

    public AcceptOptions withName(String value) {
        return new AcceptOptions(identity, value, metadata, attributes);
    }

    public AcceptOptions withMetadata(String value) {
        return new AcceptOptions(identity, name, value, attributes);
    }

    public AcceptOptions withAttribute(String key, String value) {
        Map<String, String> copy = new HashMap<>(attributes);
        copy.put(key, value);
        return new AcceptOptions(identity, name, metadata, copy);
    }
}
