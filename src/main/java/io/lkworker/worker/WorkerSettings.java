package io.lkworker.worker;

import io.lkworker.api.Agent;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * What the {@link Worker} state machine needs, separated from the rest of the configuration.
 *
 * @param agent the agent whose onRequest decides offers
 * @param agentName the registered agent name (added as the lk.agent.name attribute)
 * @param capacity load threshold and job cap
 * @param requestTimeout deadline for onRequest
 * @param drainTimeout drain bound; ZERO = no limit
 * @param requestThreads where onRequest runs
 * @param serverUrl the configured LiveKit URL, for jobs whose assignment names none
 * @param workerType the registered job type, e.g. JT_ROOM (for the snapshot)
 * @param metrics where counters go
 * @param closeTimeout bound on stopping the executor at exit; past it the daemon exits anyway
 */
public record WorkerSettings(Agent agent, String agentName, Capacity capacity, Duration requestTimeout,
                             Duration drainTimeout, ExecutorService requestThreads,
                             String serverUrl, String workerType, WorkerMetrics metrics,
                             Duration closeTimeout) {
}
