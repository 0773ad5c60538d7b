package io.lkworker.localserver;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings of a {@link LocalLiveKitServer}. Defaults mirror the real server's constants
 * (livekit/livekit pkg/service/wsprotocol.go, pkg/agent, pkg/rtc/participant.go); tests shorten the
 * timeouts through {@link #builder()}.
 *
 * @param host                 interface to bind; loopback by default because the dev server has no TLS
 * @param port                 0 picks an ephemeral port ({@link LocalLiveKitServer#port()} tells which)
 * @param apiKeys              API key → secret; tokens with another {@code iss} get 401 "invalid API key"
 * @param availabilityTimeout  budget for a job to be accepted, counted from its first AvailabilityRequest.
 *                             10 s is the server's AssignJobTimeout constant; a real server's psrpc
 *                             expiry makes it ≈ 3 s in practice, which is what tests should use
 * @param registerTimeout      deadline for the first message after the upgrade (RegisterTimeout, 10 s)
 * @param wsPingInterval       period of WebSocket ping frames (10 s in wsprotocol.go)
 * @param jobTokenTtl          validity of the job tokens in JobAssignment (1 h in agent/token.go)
 * @param assignmentUrl        {@code JobAssignment.url}, or null to leave it unset like OSS
 * @param withholdAssignments  initial value of the "accept but never send JobAssignment" knob
 * @param targetLoad           psrpc affinity rule: a job is refused unless some matching WS_AVAILABLE
 *                             worker reports load below this (0.7); {@code Double.POSITIVE_INFINITY} disables it,
 *                             and then workers at full load are still chosen (all weigh the same)
 * @param offerUnservedDispatches if true, dispatches created while no worker serves their agent name get
 *                             their job offered when such a worker registers. The real server never does
 *                             this (the job is silently not created); dev mode turns it on for convenience
 * @param rejectUnservedAgentNames if true, CreateDispatch answers 404 not_found for an agent name that
 *                             none of the registered workers serves (while at least one is registered).
 *                             The real server accepts such a dispatch and never runs it; on a development
 *                             server it is almost always a typo, so dev mode turns this on
 * @param refusedUpgradeStatus initial "refuse every /agent upgrade" status (0 = accept)
 * @param refusedUpgradeBody   body sent with that status
 * @param maxMessageBytes      largest WebSocket message accepted (2 MiB); bigger ⇒ abrupt close
 * @param region               {@code ServerInfo.region}
 * @param clock                wall time for tokens, timestamps and job states; scheduling uses real time
 * @param rooms                how rooms live (departure and empty timeouts)
 * @param pingInterval         {@code JoinResponse.ping_interval}: how often room clients ping (5 s, the real
 *                             server's PingIntervalSeconds); whole seconds
 * @param pingTimeout          {@code JoinResponse.ping_timeout} (15 s, PingTimeoutSeconds): a room client that
 *                             sends nothing this long has its signalling closed, and a participant whose
 *                             signalling is down is removed if it does not resume within it; whole seconds
 * @param maxRooms             open rooms at most (1000); a join that would open one more is refused with 503.
 *                             Each room owns a thread and peer connections: the bound keeps a runaway client
 *                             loop from exhausting a developer machine
 * @param maxParticipantsPerRoom participants per room at most (100), refused with 500 "room has exceeded its max
 *                             participants" as the real server answers a full room; far above what a development
 *                             room holds, low enough that one room cannot take every thread and socket
 */
public record ServerConfig(String host, int port, Map<String, String> apiKeys, Duration availabilityTimeout,
        Duration registerTimeout, Duration wsPingInterval, Duration jobTokenTtl, String assignmentUrl,
        boolean withholdAssignments, double targetLoad, boolean offerUnservedDispatches,
        boolean rejectUnservedAgentNames,
        int refusedUpgradeStatus, String refusedUpgradeBody, int maxMessageBytes, String region, Clock clock,
        RoomSettings rooms, Duration pingInterval, Duration pingTimeout, int maxRooms, int maxParticipantsPerRoom) {

    public static final String DEFAULT_API_KEY = "devkey";
    public static final String DEFAULT_API_SECRET = "secret";

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        apiKeys = Map.copyOf(apiKeys);
        Objects.requireNonNull(availabilityTimeout, "availabilityTimeout");
        Objects.requireNonNull(registerTimeout, "registerTimeout");
        Objects.requireNonNull(wsPingInterval, "wsPingInterval");
        Objects.requireNonNull(jobTokenTtl, "jobTokenTtl");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(rooms, "rooms");
        refusedUpgradeBody = Objects.requireNonNullElse(refusedUpgradeBody, "");
        region = Objects.requireNonNullElse(region, "");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (wsPingInterval.isZero() || wsPingInterval.isNegative()) {
            throw new IllegalArgumentException("wsPingInterval must be positive");
        }
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        if (pingInterval.toSeconds() < 1 || pingTimeout.toSeconds() <= pingInterval.toSeconds()) {
            throw new IllegalArgumentException("pingInterval must be at least 1 s and pingTimeout longer (whole seconds)");
        }
        if (maxRooms < 1 || maxParticipantsPerRoom < 1) {
            throw new IllegalArgumentException("maxRooms and maxParticipantsPerRoom must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 127.0.0.1, ephemeral port, devkey/secret, real-server timeouts. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private final Map<String, String> apiKeys = new LinkedHashMap<>();
        private boolean keysSet;
        private Duration availabilityTimeout = Duration.ofSeconds(10);
        private Duration registerTimeout = Duration.ofSeconds(10);
        private Duration wsPingInterval = Duration.ofSeconds(10);
        private Duration jobTokenTtl = Duration.ofHours(1);
        private String assignmentUrl;
        private boolean withholdAssignments;
        private double targetLoad = 0.7;
        private boolean offerUnservedDispatches;
        private boolean rejectUnservedAgentNames;
        private int refusedUpgradeStatus;
        private String refusedUpgradeBody = "";
        private int maxMessageBytes = 2 << 20;
        private String region = "";
        private Clock clock = Clock.systemUTC();
        private RoomSettings rooms = RoomSettings.defaults();
        private Duration pingInterval = Duration.ofSeconds(5);
        private Duration pingTimeout = Duration.ofSeconds(15);
        private int maxRooms = 1000;
        private int maxParticipantsPerRoom = 100;

        private Builder() {
        }

        public Builder host(String h) {
            host = h;
            return this;
        }

        public Builder port(int p) {
            port = p;
            return this;
        }

        /** Adds a key; the first call replaces the default devkey/secret pair. */
        public Builder apiKey(String key, String secret) {
            keysSet = true;
            apiKeys.put(Objects.requireNonNull(key), Objects.requireNonNull(secret));
            return this;
        }

        public Builder availabilityTimeout(Duration d) {
            availabilityTimeout = d;
            return this;
        }

        public Builder registerTimeout(Duration d) {
            registerTimeout = d;
            return this;
        }

        public Builder wsPingInterval(Duration d) {
            wsPingInterval = d;
            return this;
        }

        public Builder jobTokenTtl(Duration d) {
            jobTokenTtl = d;
            return this;
        }

        public Builder assignmentUrl(String url) {
            assignmentUrl = url;
            return this;
        }

        public Builder withholdAssignments(boolean withhold) {
            withholdAssignments = withhold;
            return this;
        }

        public Builder targetLoad(double load) {
            targetLoad = load;
            return this;
        }

        public Builder offerUnservedDispatches(boolean offer) {
            offerUnservedDispatches = offer;
            return this;
        }

        public Builder rejectUnservedAgentNames(boolean reject) {
            rejectUnservedAgentNames = reject;
            return this;
        }

        /** Refuse every /agent upgrade with this status and body (e.g. 503) until told otherwise. */
        public Builder refuseUpgrades(int status, String body) {
            refusedUpgradeStatus = status;
            refusedUpgradeBody = body;
            return this;
        }

        public Builder maxMessageBytes(int max) {
            maxMessageBytes = max;
            return this;
        }

        public Builder region(String r) {
            region = r;
            return this;
        }

        public Builder clock(Clock c) {
            clock = c;
            return this;
        }

        public Builder rooms(RoomSettings r) {
            rooms = r;
            return this;
        }

        /** Room clients' ping interval and timeout (whole seconds; tests use e.g. 1 s and 3 s). */
        public Builder ping(Duration interval, Duration timeout) {
            pingInterval = interval;
            pingTimeout = timeout;
            return this;
        }

        public Builder maxRooms(int max) {
            maxRooms = max;
            return this;
        }

        public Builder maxParticipantsPerRoom(int max) {
            maxParticipantsPerRoom = max;
            return this;
        }

        public ServerConfig build() {
            Map<String, String> keys = keysSet ? apiKeys : Map.of(DEFAULT_API_KEY, DEFAULT_API_SECRET);
            return new ServerConfig(host, port, keys, availabilityTimeout, registerTimeout, wsPingInterval,
                    jobTokenTtl, assignmentUrl, withholdAssignments, targetLoad, offerUnservedDispatches,
                    rejectUnservedAgentNames, refusedUpgradeStatus, refusedUpgradeBody, maxMessageBytes, region, clock, rooms,
                    pingInterval, pingTimeout, maxRooms, maxParticipantsPerRoom);
        }
    }
}
