package io.lkworker.api.rtc;

import java.util.List;
import java.util.Objects;

/**
 * How to send a data message.
 *
 * @param reliable ordered and retransmitted (true), or best-effort and unordered (false)
 * @param topic a label receivers see with the message ("" for none)
 * @param destinationIdentities who gets it; empty means every other participant
 */
public record DataOptions(boolean reliable, String topic, List<String> destinationIdentities) {

    /** The largest message LiveKit's clients accept. */
    public static final int MAX_SIZE = 64_000;

    public DataOptions {
        topic = topic == null ? "" : topic;
        destinationIdentities = List.copyOf(Objects.requireNonNull(destinationIdentities, "destinationIdentities"));
    }

    /** Reliable, no topic, to everyone. */
    public static DataOptions defaults() {
        return new DataOptions(true, "", List.of());
    }

    /** Best-effort, no topic, to everyone. */
    public static DataOptions lossy() {
        return new DataOptions(false, "", List.of());
    }

    public DataOptions withReliable(boolean value) {
        return new DataOptions(value, topic, destinationIdentities);
    }

    public DataOptions withTopic(String value) {
        return new DataOptions(reliable, value, destinationIdentities);
    }

    public DataOptions withDestinations(List<String> identities) {
        return new DataOptions(reliable, topic, identities);
    }

    public DataOptions withDestinations(String... identities) {
        return withDestinations(List.of(identities));
    }
}
