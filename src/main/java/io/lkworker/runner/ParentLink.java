package io.lkworker.runner;

import io.lkworker.ipc.FrameReader;
import io.lkworker.ipc.FrameWriter;
import io.lkworker.ipc.proto.Ipc.Envelope;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The child's end of its IPC connection: a blocking UNIX socket with one reader thread and one
 * writer thread. {@link #send} is safe from any thread (log appenders, the job, the reader
 * answering pings): messages go through a queue to the single writer, so frames never interleave.
 *
 * <p>Never logs through SLF4J (its appender sends through this link); problems go to the original
 * stderr, which the daemon captures to a file.
 */
public final class ParentLink {

    /** Called on the reader thread. */
    public interface Handler {
        void onMessage(Envelope message);

        /** The daemon closed the connection or died. */
        void onParentGone(String why);
    }

    /**
     * Bound of the outbox. A child logging faster than the daemon reads is slowed down rather than
     * growing without limit.
     */
    private static final int OUTBOX_CAPACITY = 20_000;

    private final SocketChannel socket;
    private final PrintStream stderr;
    private final BlockingQueue<Object> outbox = new LinkedBlockingQueue<>(OUTBOX_CAPACITY);
    private volatile boolean broken;

    private ParentLink(SocketChannel socket, PrintStream stderr) {
        this.socket = socket;
        this.stderr = stderr;
    }

    public static ParentLink connect(Path socketPath, PrintStream stderr) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(socketPath));
        return new ParentLink(socket, stderr);
    }

    /** Starts the writer now; the reader once {@code handler} is known. */
    public void startWriter() {
        Thread writer = new Thread(this::writeLoop, "lkw-ipc-writer");
        writer.setDaemon(true);
        writer.start();
    }

    public void startReader(Handler handler) {
        Thread reader = new Thread(() -> readLoop(handler), "lkw-ipc-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Queues a message for the daemon. Drops it once the connection is broken. */
    public void send(Envelope message) {
        if (broken) {
            return;
        }
        try {
            outbox.put(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until everything queued before this call is written. */
    public boolean flush(long timeoutMillis) {
        if (broken) {
            return false;
        }
        CountDownLatch written = new CountDownLatch(1);
        try {
            if (!outbox.offer(written, timeoutMillis, TimeUnit.MILLISECONDS)) {
                return false;
            }
            return written.await(timeoutMillis, TimeUnit.MILLISECONDS) && !broken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void writeLoop() {
        FrameWriter writer = new FrameWriter();
        List<Object> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(outbox.take());
                outbox.drainTo(batch, 512);
                List<CountDownLatch> markers = new ArrayList<>();
                for (Object item : batch) {
                    if (item instanceof Envelope e) {
                        writer.enqueue(e);
                    } else {
                        markers.add((CountDownLatch) item);
                    }
                }
                batch.clear();
                writer.flush(socket); // blocking channel: writes everything
                markers.forEach(CountDownLatch::countDown);
            }
        } catch (IOException e) {
            broken = true;
            stderr.println("lk-worker child: IPC write failed: " + e.getMessage());
        } catch (InterruptedException e) {
            broken = true;
        } finally {
            // Release anyone waiting in flush().
            Object item;
            while ((item = outbox.poll()) != null) {
                if (item instanceof CountDownLatch latch) {
                    latch.countDown();
                }
            }
        }
    }

    private void readLoop(Handler handler) {
        FrameReader reader = new FrameReader();
        List<Envelope> inbox = new ArrayList<>();
        String why = "the daemon closed the connection";
        try {
            boolean open = true;
            while (open) {
                open = reader.read(socket, inbox);
                for (Envelope message : inbox) {
                    handler.onMessage(message);
                }
                inbox.clear();
            }
        } catch (IOException e) {
            why = "IPC read failed: " + e.getMessage();
        }
        handler.onParentGone(why);
    }
}
