package io.lkworker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can make the connections it carries half-open: {@link #freezeAll()}
 * stops forwarding in both directions while keeping every socket open, as a dead NAT entry or a
 * vanished peer does: nothing fails, nothing arrives. Connections made later are forwarded normally.
 * {@link #cutAll()} resets them instead (a cut link), and {@link #refuseNew} turns new ones away.
 */
public final class FreezableProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean refusing;

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream, "proxy-up");
            pump(upstream, client, "proxy-down");
        }

        private void pump(Socket from, Socket to, String name) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (frozen) {
                            parkForever(); // swallow: neither forward nor close
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // one side went away
                } finally {
                    if (!frozen) {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    public FreezableProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Every connection open now goes silent both ways, and stays open. */
    public void freezeAll() {
        links.forEach(l -> l.frozen = true);
    }

    /** Cuts every connection open now with a TCP reset on both sides, as {@code ss -K} does; returns how many. */
    public int cutAll() {
        int n = 0;
        for (Link l : links) {
            links.remove(l);
            resetQuietly(l.client);
            resetQuietly(l.upstream);
            n++;
        }
        return n;
    }

    /** While refusing, new connections are reset as soon as they arrive (a server that is gone). */
    public void refuseNew(boolean refuse) {
        refusing = refuse;
    }

    private static void resetQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (refusing) {
                    resetQuietly(client);
                    continue;
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                Link link = new Link(client, upstream);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void parkForever() {
        while (!closed) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        links.forEach(Link::close);
    }
}
