package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.localserver.http.PauseGate;
import io.lkworker.localserver.http.WebSocketConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every way a signalling reader dies ends the connection through the one reporting path, Errors
 * included: a participant whose reader thread hit an OutOfMemoryError used to stay JOINED forever.
 */
class SignalLinkTest {

    /** A WebSocket over a real loopback socket whose reads throw {@code failure}. */
    private static WebSocketConnection failingConnection(Socket socket, Error failure) throws Exception {
        InputStream in = new InputStream() {
            @Override
            public int read() {
                throw failure;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw failure;
            }
        };
        Constructor<WebSocketConnection> c = WebSocketConnection.class.getDeclaredConstructor(Socket.class,
                InputStream.class, OutputStream.class, int.class, String.class);
        c.setAccessible(true);
        return c.newInstance(socket, in, socket.getOutputStream(), 1 << 20, "test");
    }

    @Test
    void anErrorOnTheReaderThreadEndsTheConnectionAsNotResumable() throws Exception {
        try (ServerSocket listener = new ServerSocket(0);
             Socket client = new Socket("127.0.0.1", listener.getLocalPort());
             Socket server = listener.accept()) {
            SignalLink link = new SignalLink(failingConnection(server, new OutOfMemoryError("test: heap exhausted")),
                    "room 'r' participant p", new PauseGate());
            CompletableFuture<SignalLink.End> end = new CompletableFuture<>();

            Thread reader = new Thread(() -> link.readUntilClosed(Runnable::run, r -> { }, end::complete));
            reader.start();

            SignalLink.End e = end.get(5, TimeUnit.SECONDS);
            assertThat(e.resumable()).isFalse();
            assertThat(e.why()).contains("OutOfMemoryError");
            assertThat(link.isUp()).isFalse();
            reader.join(5000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(client.getInputStream().read()).as("the socket is closed").isEqualTo(-1);
        }
    }
}
