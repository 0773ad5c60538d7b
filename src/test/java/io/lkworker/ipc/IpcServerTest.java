package io.lkworker.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lkworker.ipc.proto.Ipc;
import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.loop.Clock;
import io.lkworker.loop.EventLoop;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IpcServerTest {

    private EventLoop loop;
    private Path dir;
    private IpcServer server;
    private final CompletableFuture<IpcChannel> admitted = new CompletableFuture<>();

    @BeforeEach
    void setUp() throws Exception {
        loop = new EventLoop(Clock.system()).start("ipc-test");
        dir = PrivateDirectory.create(null, "lkw-ipc-test-");
        CompletableFuture<IpcServer> opened = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                IpcServer s = IpcServer.open(loop, dir);
                s.expect("right-secret", 4242, admitted::complete);
                opened.complete(s);
            } catch (Exception e) {
                opened.completeExceptionally(e);
            }
        });
        server = opened.get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() {
        loop.execute(server::close);
        loop.close();
        PrivateDirectory.deleteQuietly(dir);
    }

    private boolean helloIsRejected(String secret, long pid) throws Exception {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(server.socketPath()));
            ByteBuffer frame = FrameWriter.encode(Envelope.newBuilder()
                    .setHello(Ipc.Hello.newBuilder().setSecret(secret).setPid(pid)).build());
            while (frame.hasRemaining()) {
                client.write(frame);
            }
            // A rejected connection is closed by the daemon: we read end of stream.
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.read(ByteBuffer.allocate(16));
                } catch (Exception e) {
                    return -2;
                }
            });
            try {
                return read.get(2, TimeUnit.SECONDS) < 0;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
    }

    @Test
    void theDirectoryIsPrivate() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void wrongSecretOrWrongPidIsRejectedAndTheRightOneAdmitted() throws Exception {
        assertThat(helloIsRejected("wrong-secret", 4242)).isTrue();
        assertThat(helloIsRejected("right-secret", 999)).isTrue();
        assertThat(admitted).isNotDone();
        assertThat(helloIsRejected("right-secret", 4242)).isFalse();
        assertThat(admitted.get(2, TimeUnit.SECONDS)).isNotNull();
    }
}
