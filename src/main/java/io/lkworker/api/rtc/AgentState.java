package io.lkworker.api.rtc;

/**
 * What a voice agent is doing, as LiveKit's frontends read it from the agent participant's attribute
 * {@value #ATTRIBUTE} (LiveKit Agents' {@code AgentState}; client-sdk-js's {@code lk.agent.state}
 * attribute typing). Publish it with {@link LocalParticipant#setAgentState}.
 */
public enum AgentState {
    INITIALIZING("initializing"),
    IDLE("idle"),
    LISTENING("listening"),
    THINKING("thinking"),
    SPEAKING("speaking");

    /** The participant attribute LiveKit's frontends read the agent's state from. */
    public static final String ATTRIBUTE = "lk.agent.state";

    private final String value;

    AgentState(String value) {
        this.value = value;
    }

    /** The attribute value: {@code "initializing"}, {@code "idle"}, {@code "listening"}, … */
    public String value() {
        return value;
    }

    /** The state an attribute value names, or null for none of them (or null). */
    public static AgentState fromValue(String value) {
        for (AgentState s : values()) {
            if (s.value.equals(value)) {
                return s;
            }
        }
        return null;
    }
}
