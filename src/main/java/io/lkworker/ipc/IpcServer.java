package io.lkworker.ipc;

import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.loop.EventLoop;
import io.lkworker.loop.Timer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's listening UNIX socket that child JVMs connect back to. Loop thread only.
 *
 * <p>A child proves it is the process the daemon started: the daemon hands each child a one-time
 * random secret on its stdin and expects {@code Hello{secret, pid}} as the first frame. A
 * connection with an unknown secret, a pid that does not match, or any other first message is
 * closed and logged (never with the secret). The socket lives in a 0700 directory, so only our own
 * user can connect at all; the secret keeps one child from impersonating another.
 */
public final class IpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IpcServer.class);
    /** A connection that has not said Hello by then is not one of our children (they do it first thing). */
    private static final long HELLO_TIMEOUT_MS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Expected(byte[] secret, long pid, Consumer<IpcChannel> onConnected) {
    }

    private final EventLoop loop;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Map<Long, Expected> expected = new LinkedHashMap<>();
    private boolean closed;

    private IpcServer(EventLoop loop, Path socketPath, ServerSocketChannel server) {
        this.loop = loop;
        this.socketPath = socketPath;
        this.server = server;
    }

    /** Binds {@code dir/pool.sock} and starts accepting on the loop. Loop thread only. */
    public static IpcServer open(EventLoop loop, Path dir) throws IOException {
        assert loop.inLoop();
        Path path = dir.resolve("pool.sock");
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        server.configureBlocking(false);
        IpcServer ipc = new IpcServer(loop, path, server);
        loop.register(server, SelectionKey.OP_ACCEPT, k -> ipc.acceptAll());
        return ipc;
    }

    public Path socketPath() {
        return socketPath;
    }

    /** A fresh one-time secret: 256 random bits, URL-safe text (one line on the child's stdin). */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Admits one connection presenting {@code secret} from process {@code pid}. Loop thread only. */
    public void expect(String secret, long pid, Consumer<IpcChannel> onConnected) {
        assert loop.inLoop();
        expected.put(pid, new Expected(secret.getBytes(StandardCharsets.UTF_8), pid, onConnected));
    }

    /** Withdraws an expectation (the child died before connecting). */
    public void forget(long pid) {
        expected.remove(pid);
    }

    private void acceptAll() throws IOException {
        SocketChannel socket;
        while (!closed && (socket = server.accept()) != null) {
            HelloGate gate = new HelloGate();
            gate.armTimeout(IpcChannel.register(loop, socket, gate));
        }
    }

    /** Listener of a connection until its Hello is checked. */
    private final class HelloGate implements IpcChannel.Listener {
        private Timer timeout;

        @Override
        public void onMessage(IpcChannel channel, Envelope message) {
            if (timeout != null) {
                timeout.cancel();
            }
            if (!message.hasHello()) {
                reject(channel, "first message was " + message.getMsgCase() + ", not Hello");
                return;
            }
            long pid = message.getHello().getPid();
            byte[] presented = message.getHello().getSecret().getBytes(StandardCharsets.UTF_8);
            Expected match = null;
            for (Iterator<Expected> it = expected.values().iterator(); it.hasNext(); ) {
                Expected e = it.next();
                if (MessageDigest.isEqual(e.secret, presented)) {
                    match = e;
                    break;
                }
            }
            if (match == null) {
                reject(channel, "unknown secret (claimed pid " + pid + ")");
                return;
            }
            if (match.pid != pid) {
                reject(channel, "secret of pid " + match.pid + " presented by a connection claiming pid " + pid);
                return;
            }
            expected.remove(match.pid);
            match.onConnected.accept(channel);
        }

        @Override
        public void onClosed(IpcChannel channel, String error) {
            if (timeout != null) {
                timeout.cancel();
            }
        }

        private void reject(IpcChannel channel, String why) {
            log.warn("rejected an IPC connection: {}", why);
            channel.close("rejected: " + why);
        }

        void armTimeout(IpcChannel channel) {
            timeout = loop.schedule(HELLO_TIMEOUT_MS, () -> {
                if (channel.isOpen()) {
                    reject(channel, "no Hello within " + HELLO_TIMEOUT_MS + " ms");
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        expected.clear();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException ignored) {
            // the directory is removed by its owner
        }
    }
}
