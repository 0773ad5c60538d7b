package io.lkworker.health;

import io.lkworker.worker.WorkerSnapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only health HTTP server (as in livekit/agents {@code livekit-agents/livekit/agents/worker.py}
 * {@code AgentServer.run}, which serves {@code /} and {@code /worker}): {@code GET /} (liveness), {@code GET /worker}
 * (JSON state), {@code GET /metrics} (Prometheus). HEAD is answered like GET without a body; other
 * methods get 405, other paths 404. No endpoint changes state.
 *
 * <p>One thread of its own multiplexes every connection over non-blocking sockets, so a client that
 * sends half a request and waits holds a buffer, never a thread: it cannot make anyone else's probe
 * wait (the JDK's HttpServer reads each request on a pool thread, and two such clients froze it). A
 * connection must deliver its request and take its answer within {@link #CONNECTION_TIMEOUT_MILLIS};
 * at most {@link #MAX_CONNECTIONS} are open, the oldest is dropped for a new one. Handlers read only
 * the snapshot supplier (a volatile read of an immutable object) and the loop's heartbeat: nothing
 * is posted to the loop, so a scraper can never delay the worker.
 *
 * <p>{@code /} answers 503 when the worker has given up, and also when the event loop has not
 * beaten for the stall limit: the snapshot would then be stale, and a wedged worker must fail its
 * liveness probe.
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

    /**
     * A probe or scraper sends its request at once and reads a few KB: 5 s is far more than either
     * needs on a loaded machine, and short enough that idle connections cannot pile up.
     */
    static final long CONNECTION_TIMEOUT_MILLIS = 5_000;
    /** Open connections at most; a new one beyond this closes the oldest (which is idling, or slow). */
    static final int MAX_CONNECTIONS = 256;
    private static final int BACKLOG = 64;

    private final String host;
    private final int requestedPort;
    private final HealthRoutes routes;
    private final Deque<HealthConnection> connections = new ArrayDeque<>();
    private ServerSocketChannel server;
    private Selector selector;
    private Thread thread;
    private volatile boolean open;

    /**
     * @param host bind address; "" or null = all interfaces
     * @param port TCP port; 0 = pick a free one (read it back with {@link #port()})
     * @param snapshots the worker's latest snapshot ({@code daemon::snapshot})
     * @param metrics the worker's metrics; its gauges are pointed at {@code snapshots}
     */
    public HealthServer(String host, int port, Supplier<WorkerSnapshot> snapshots, PrometheusWorkerMetrics metrics) {
        this(host, port, snapshots, metrics, () -> 0, Duration.ZERO);
    }

    /**
     * As above, with the event loop's liveness: {@code /} answers 503 once {@code loopSilentMillis}
     * exceeds {@code stallLimit} (ZERO: never).
     */
    public HealthServer(String host, int port, Supplier<WorkerSnapshot> snapshots, PrometheusWorkerMetrics metrics,
                        LongSupplier loopSilentMillis, Duration stallLimit) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("health port must be 0..65535, got " + port);
        }
        this.host = host == null ? "" : host;
        this.requestedPort = port;
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(metrics, "metrics");
        metrics.observe(snapshots);
        this.routes = new HealthRoutes(snapshots, metrics, loopSilentMillis, stallLimit);
    }

    /** Binds and starts serving; throws if the address is taken. */
    public synchronized HealthServer start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("health server already started");
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(requestedPort)
                : new InetSocketAddress(host, requestedPort);
        ServerSocketChannel s = ServerSocketChannel.open();
        Selector sel = Selector.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(address, BACKLOG);
            s.configureBlocking(false);
            s.register(sel, SelectionKey.OP_ACCEPT);
        } catch (java.net.BindException e) {
            s.close();
            sel.close();
            // The JDK's text ("Address already in use") names neither the address nor what to change.
            java.net.BindException named = new java.net.BindException("--health-port: cannot listen on "
                    + (host.isEmpty() ? "0.0.0.0" : host) + ":" + requestedPort + " for the health server ("
                    + e.getMessage() + "); another lk-worker or program has it: give another port with --health-port"
                    + " (0 = any free port, -1 = no health server)");
            named.initCause(e);
            throw named;
        } catch (IOException | RuntimeException e) {
            s.close();
            sel.close();
            throw e;
        }
        server = s;
        selector = sel;
        open = true;
        thread = new Thread(this::run, "lkworker-health");
        thread.setDaemon(true);
        thread.start();
        LOG.info("health server listening on {}:{}", host.isEmpty() ? "0.0.0.0" : host, port());
        return this;
    }

    /** The bound port (the real one when started with port 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("health server not started");
        }
        return server.socket().getLocalPort();
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        open = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        server = null;
        LOG.debug("health server stopped");
    }

    // ---- the server thread ----

    private void run() {
        try {
            while (open) {
                selector.select(selectTimeoutMillis());
                for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
                    selector.selectedKeys().remove(key);
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else {
                        serve(key, (HealthConnection) key.attachment());
                    }
                }
                expire();
            }
        } catch (IOException | RuntimeException e) {
            if (open) {
                LOG.error("health server failed; it no longer answers", e);
            }
        } finally {
            connections.forEach(HealthConnection::close);
            connections.clear();
        }
    }

    private long selectTimeoutMillis() {
        HealthConnection oldest = connections.peekFirst();
        if (oldest == null) {
            return 0; // until something happens
        }
        long left = CONNECTION_TIMEOUT_MILLIS - (System.nanoTime() - oldest.acceptedNanos()) / 1_000_000;
        return Math.max(1, left);
    }

    private void acceptAll() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            HealthConnection connection = new HealthConnection(channel, System.nanoTime());
            channel.register(selector, SelectionKey.OP_READ, connection);
            connections.addLast(connection);
            if (connections.size() > MAX_CONNECTIONS) {
                drop(connections.peekFirst(), "too many open connections");
            }
        }
    }

    private void serve(SelectionKey key, HealthConnection connection) {
        try {
            if (!connection.responding()) {
                HealthConnection.Request request;
                try {
                    request = connection.read();
                } catch (HealthConnection.HeadTooLarge e) {
                    request = null;
                    connection.respond(HealthResponse.text(431, "request head too large\n", false));
                }
                if (request != null) {
                    connection.respond(routes.answer(request.method(), request.path()));
                }
                if (!connection.responding()) {
                    return;
                }
                key.interestOps(SelectionKey.OP_WRITE);
            }
            if (connection.write()) {
                drop(connection, null);
            }
        } catch (IOException e) {
            drop(connection, null);
        }
    }

    /** Closes connections that have had their time (idle, trickling, or not reading their answer). */
    private void expire() {
        long now = System.nanoTime();
        while (!connections.isEmpty()
                && (now - connections.peekFirst().acceptedNanos()) / 1_000_000 >= CONNECTION_TIMEOUT_MILLIS) {
            drop(connections.peekFirst(), "no complete exchange within " + CONNECTION_TIMEOUT_MILLIS + " ms");
        }
    }

    private void drop(HealthConnection connection, String why) {
        if (why != null) {
            LOG.debug("closing health connection from {}: {}", remote(connection), why);
        }
        connections.remove(connection);
        connection.close();
    }

    private static String remote(HealthConnection connection) {
        try {
            return String.valueOf(connection.channel().getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }
}
