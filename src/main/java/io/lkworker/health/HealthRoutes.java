package io.lkworker.health;

import io.lkworker.worker.WorkerSnapshot;
import io.lkworker.worker.WorkerState;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What each health request is answered with. Reads only the snapshot, the metrics and the heartbeat. */
final class HealthRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(HealthRoutes.class);

    private final Supplier<WorkerSnapshot> snapshots;
    private final PrometheusWorkerMetrics metrics;
    private final LongSupplier loopSilentMillis;
    private final Duration stallLimit;

    HealthRoutes(Supplier<WorkerSnapshot> snapshots, PrometheusWorkerMetrics metrics, LongSupplier loopSilentMillis,
                 Duration stallLimit) {
        this.snapshots = snapshots;
        this.metrics = metrics;
        this.loopSilentMillis = loopSilentMillis;
        this.stallLimit = stallLimit;
    }

    HealthResponse answer(String method, String path) {
        boolean head = "HEAD".equals(method);
        if (method.isEmpty()) {
            return HealthResponse.text(400, "bad request\n", false);
        }
        if (!head && !"GET".equals(method)) {
            return new HealthResponse(405, HealthResponse.TEXT, "method not allowed\n", "GET, HEAD", false);
        }
        try {
            return switch (path) {
                case "/" -> liveness(head);
                case "/ready" -> readiness(head);
                case "/worker" -> new HealthResponse(200, HealthResponse.JSON, WorkerJson.render(snapshot()), null, head);
                case "/metrics" -> metrics(head);
                default -> HealthResponse.text(404, "not found\n", head);
            };
        } catch (RuntimeException e) {
            // a bug in a handler must not leave the probe hanging
            LOG.warn("health request {} {} failed", method, path, e);
            return HealthResponse.text(500, "internal error\n", head);
        }
    }

    private HealthResponse liveness(boolean head) {
        long silent = loopSilentMillis.getAsLong();
        if (!stallLimit.isZero() && silent > stallLimit.toMillis()) {
            return HealthResponse.text(503, "event loop unresponsive for " + silent / 1000 + " s", head);
        }
        WorkerSnapshot s = snapshot();
        if (s.healthy()) {
            return HealthResponse.text(200, "OK", head);
        }
        String reason = s.failure() == null || s.failure().isBlank() ? "worker failed" : s.failure();
        return HealthResponse.text(503, reason, head);
    }

    /**
     * Readiness: registered with the server and taking jobs (not connecting, reconnecting, draining or
     * stopped), with a live event loop. Being full is not unreadiness: the worker is still serving and
     * the server simply offers it nothing until it has room (scale on load, not on readiness).
     */
    private HealthResponse readiness(boolean head) {
        long silent = loopSilentMillis.getAsLong();
        if (!stallLimit.isZero() && silent > stallLimit.toMillis()) {
            return HealthResponse.text(503, "event loop unresponsive for " + silent / 1000 + " s", head);
        }
        WorkerSnapshot s = snapshot();
        if (WorkerState.REGISTERED.label().equals(s.state())) {
            return HealthResponse.text(200, "ready", head);
        }
        String why = s.failure() == null || s.failure().isBlank() ? "" : ": " + s.failure();
        return HealthResponse.text(503, "not ready: " + s.state() + why, head);
    }

    private HealthResponse metrics(boolean head) {
        // scraped into memory first: a failing collector then yields a 500, not half a response
        try {
            return new HealthResponse(200, PrometheusWorkerMetrics.CONTENT_TYPE, metrics.scrape(), null, head);
        } catch (RuntimeException e) {
            LOG.warn("metrics scrape failed", e);
            return HealthResponse.text(500, "metrics scrape failed\n", head);
        }
    }

    /** Before the daemon publishes a snapshot there is nothing wrong yet: report "starting". */
    private WorkerSnapshot snapshot() {
        WorkerSnapshot s = snapshots.get();
        return s != null ? s : WorkerSnapshot.initial("", "");
    }
}
