package io.lkworker.api;

import java.util.Map;

/**
 * A participant as the server described it (the target of a publisher or participant job).
 *
 * @param sid participant id ({@code PA_...})
 * @param identity participant identity
 * @param name display name
 * @param metadata participant metadata
 * @param attributes participant attributes (never null)
 * @param kind kind as the server names it: STANDARD, INGRESS, EGRESS, SIP, AGENT, ...
 */
public record ParticipantInfo(String sid, String identity, String name, String metadata,
                              Map<String, String> attributes, String kind) {
    public ParticipantInfo {
        attributes = Map.copyOf(attributes);
    }
}
