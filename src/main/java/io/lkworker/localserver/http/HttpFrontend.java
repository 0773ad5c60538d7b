package io.lkworker.localserver.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening socket: one accept thread, one daemon thread per TCP connection that parses the
 * HTTP request and routes it like LiveKit's mux: to the first registered {@link Route} that matches
 * (exact path or prefix), else 404. A handler that upgrades the connection (the {@code /agent}
 * WebSocket) keeps that thread as its reader.
 */
public final class HttpFrontend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpFrontend.class);

    /** A client that opens a socket and sends no complete request head in this time is dropped. */
    static final Duration HTTP_HEAD_TIMEOUT = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final List<Route> routes;
    private final PauseGate gate;
    /** Every open TCP connection, so close() can cut them all. */
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private ServerSocket serverSocket;
    private Thread acceptThread;
    private volatile boolean closed;

    /**
     * @param host   interface to bind
     * @param port   port to bind, 0 for an ephemeral one
     * @param routes matched in this order; the first match answers
     */
    public HttpFrontend(String host, int port, List<Route> routes) {
        this(host, port, routes, new PauseGate());
    }

    /** @param gate while paused, new connections are accepted but their requests are not read */
    public HttpFrontend(String host, int port, List<Route> routes, PauseGate gate) {
        this.host = host;
        this.port = port;
        this.routes = List.copyOf(routes);
        this.gate = gate;
    }

    public synchronized void start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true); // dev mode restarts on the fixed port 7880
        socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        serverSocket = socket;
        acceptThread = new Thread(this::acceptLoop, "lk-dev-server-accept");
        acceptThread.setDaemon(true);
        acceptThread.start();
    }

    public synchronized boolean started() {
        return serverSocket != null;
    }

    public synchronized int port() {
        if (serverSocket == null) {
            throw new IllegalStateException("not started");
        }
        return serverSocket.getLocalPort();
    }

    /** Stops accepting and closes every open connection (plain TCP close). */
    @Override
    public void close() {
        Thread accept;
        synchronized (this) {
            closed = true;
            accept = acceptThread;
            if (serverSocket != null) {
                closeQuietly(serverSocket);
            }
        }
        sockets.forEach(HttpFrontend::closeQuietly);
        if (accept != null) {
            try {
                accept.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed, dev server stops accepting: {}", e.toString());
                }
                return;
            }
            long id = connectionIds.incrementAndGet();
            sockets.add(socket);
            if (closed) {
                closeQuietly(socket);
                return;
            }
            Thread t = new Thread(() -> serve(id, socket), "lk-dev-server-conn-" + id);
            t.setDaemon(true);
            t.start();
        }
    }

    /** Owns the socket for its whole life; on its own thread. */
    private void serve(long id, Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            gate.awaitOpen();
            socket.setSoTimeout((int) HTTP_HEAD_TIMEOUT.toMillis());
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            Optional<HttpRequest> request;
            try {
                request = HttpRequest.read(in, out);
            } catch (HttpRequest.BadRequestException e) {
                log.info("connection {}: bad request: {}", id, e.getMessage());
                HttpResponses.text(out, 400, "Bad Request");
                return;
            }
            if (request.isPresent()) {
                route(id, request.get(), socket, in, out);
            }
        } catch (SocketTimeoutException e) {
            log.debug("connection {}: no complete request within {}", id, HTTP_HEAD_TIMEOUT);
        } catch (IOException e) {
            log.debug("connection {}: {}", id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("connection {}: unexpected failure", id, e);
        } finally {
            sockets.remove(socket);
        }
    }

    private void route(long id, HttpRequest req, Socket socket, InputStream in, OutputStream out) throws IOException {
        String path = req.path();
        if (path.startsWith("//")) {
            path = path.substring(1); // LiveKit's middleware strips one leading slash
        }
        // The path only: the query may carry an access_token.
        log.debug("connection {}: {} {}", id, req.method(), path);
        for (Route route : routes) {
            if (route.matches(path)) {
                route.handler().handle(new HttpExchange(id, req, path, socket, in, out));
                return;
            }
        }
        HttpResponses.text(out, 404, "404 page not found\n");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to do with it
        }
    }
}
