package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitRtc;

/**
 * Changes to our own metadata, name and attributes waiting for the server: each goes out as
 * {@code UpdateParticipantMetadata} with a request id and is done when the server answers that id
 * ({@code RequestResponse}) or, for servers that do not answer (protocol ≤ 14), when our participant
 * info shows it applied. Session thread only.
 */
final class OwnInfoUpdates {

    /** One update: what it sets (null: unchanged; an empty attribute value removes the attribute). */
    record Pending(int requestId, CompletableFuture<Void> done, String metadata, String name, Map<String, String> attributes) {

        LivekitRtc.UpdateParticipantMetadata request(LocalParticipantImpl me) {
            return LivekitRtc.UpdateParticipantMetadata.newBuilder()
                    .setRequestId(requestId).putAllAttributes(attributes)
                    .setMetadata(metadata != null ? metadata : me.metadata())
                    .setName(name != null ? name : me.name()).build();
        }

        boolean appliedIn(ParticipantInfo info) {
            return (metadata == null || metadata.equals(info.getMetadata()))
                    && (name == null || name.equals(info.getName()))
                    && attributes.entrySet().stream().allMatch(e -> e.getValue().isEmpty()
                    ? !info.getAttributesMap().containsKey(e.getKey())
                    : e.getValue().equals(info.getAttributesMap().get(e.getKey())));
        }
    }

    private final Map<Integer, Pending> pending = new HashMap<>();
    private int lastRequestId;

    Pending start(String metadata, String name, Map<String, String> attributes) {
        Pending p = new Pending(++lastRequestId, new CompletableFuture<>(), metadata, name, attributes);
        pending.put(p.requestId(), p);
        return p;
    }

    void forget(Pending p) {
        pending.remove(p.requestId());
    }

    void onRequestResponse(LivekitRtc.RequestResponse response) {
        Pending p = pending.remove(response.getRequestId());
        if (p == null) {
            return;
        }
        if (response.getReason() == LivekitRtc.RequestResponse.Reason.OK) {
            p.done().complete(null);
        } else {
            p.done().completeExceptionally(new RoomException("the server refused the update: "
                    + response.getReason() + (response.getMessage().isEmpty() ? "" : " (" + response.getMessage() + ")")));
        }
    }

    void onOwnInfo(ParticipantInfo info) {
        pending.values().removeIf(p -> {
            if (p.appliedIn(info)) {
                p.done().complete(null);
                return true;
            }
            return false;
        });
    }

    void failPending(RoomException why) {
        pending.values().forEach(p -> p.done().completeExceptionally(why));
        pending.clear();
    }
}
