package io.lkworker.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lkworker.worker.WorkerSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only health HTTP server (reference worker §4): {@code GET /} (liveness), {@code GET /worker}
 * (JSON state), {@code GET /metrics} (Prometheus). HEAD is answered like GET without a body; other
 * methods get 405, other paths 404. No endpoint changes state.
 *
 * <p>Handlers run on this server's own small pool of daemon threads and read only the snapshot
 * supplier (a volatile read of an immutable object): no locks, nothing posted to the loop, so a slow
 * or stuck scraper can never delay the worker, and a wedged loop still answers {@code /}.
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

    /** Two threads: a probe and a scrape can overlap; anything more would only queue. */
    static final int THREADS = 2;
    /** Pending connections the kernel keeps while both threads are busy. */
    private static final int BACKLOG = 16;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json; charset=utf-8";

    private final String host;
    private final int requestedPort;
    private final Supplier<WorkerSnapshot> snapshots;
    private final PrometheusWorkerMetrics metrics;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param host bind address; "" or null = all interfaces
     * @param port TCP port; 0 = pick a free one (read it back with {@link #port()})
     * @param snapshots the worker's latest snapshot ({@code daemon::snapshot})
     * @param metrics the worker's metrics; its gauges are pointed at {@code snapshots}
     */
    public HealthServer(String host, int port, Supplier<WorkerSnapshot> snapshots, PrometheusWorkerMetrics metrics) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("health port must be 0..65535, got " + port);
        }
        this.host = host == null ? "" : host;
        this.requestedPort = port;
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        metrics.observe(snapshots);
    }

    /** Binds and starts serving; throws if the address is taken. */
    public synchronized HealthServer start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("health server already started");
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(requestedPort)
                : new InetSocketAddress(host, requestedPort);
        HttpServer s = HttpServer.create(address, BACKLOG);
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "lkworker-health-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        LOG.info("health server listening on {}:{}", host.isEmpty() ? "0.0.0.0" : host, port());
        return this;
    }

    /** The bound port (the real one when started with port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("health server not started");
        }
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        server = null;
        LOG.debug("health server stopped");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "method not allowed\n", false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/" -> liveness(exchange, head);
                case "/worker" -> respond(exchange, 200, JSON, WorkerJson.render(snapshot()), head);
                case "/metrics" -> metrics(exchange, head);
                default -> respond(exchange, 404, TEXT, "not found\n", head);
            }
        } catch (RuntimeException e) {
            // a bug in a handler must not leave the probe hanging; the exchange is closed above
            LOG.warn("health request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        }
    }

    private void liveness(HttpExchange exchange, boolean head) throws IOException {
        WorkerSnapshot s = snapshot();
        if (s.healthy()) {
            respond(exchange, 200, TEXT, "OK", head);
        } else {
            String reason = s.failure() == null || s.failure().isBlank() ? "worker failed" : s.failure();
            respond(exchange, 503, TEXT, reason, head);
        }
    }

    private void metrics(HttpExchange exchange, boolean head) throws IOException {
        // scraped into memory first: a failing collector then yields a 500, not half a response
        String body;
        try {
            body = metrics.scrape();
        } catch (RuntimeException e) {
            LOG.warn("metrics scrape failed", e);
            respond(exchange, 500, TEXT, "metrics scrape failed\n", head);
            return;
        }
        respond(exchange, 200, PrometheusWorkerMetrics.CONTENT_TYPE, body, head);
    }

    /** Before the daemon publishes a snapshot there is nothing wrong yet: report "starting". */
    private WorkerSnapshot snapshot() {
        WorkerSnapshot s = snapshots.get();
        return s != null ? s : WorkerSnapshot.initial("", "");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put("Content-Type", List.of(contentType));
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (head) {
            // HttpServer sends no body for HEAD only with length -1; the real length goes in the header
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
