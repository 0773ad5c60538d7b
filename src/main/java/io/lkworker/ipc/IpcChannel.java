package io.lkworker.ipc;

import io.lkworker.ipc.proto.Ipc.Envelope;
import io.lkworker.loop.ChannelHandler;
import io.lkworker.loop.EventLoop;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's end of one child connection: a non-blocking UNIX socket on the event loop's
 * selector. Loop thread only. Messages and the final close are delivered to the current
 * {@link Listener}; the listener may be swapped (the Hello gate hands the channel to its child).
 *
 * <p>On end of stream every complete frame already received is delivered before {@code onClosed},
 * so nothing a child wrote before exiting is lost.
 */
public final class IpcChannel implements ChannelHandler {

    /** Receives what arrives. Called on the loop thread. */
    public interface Listener {
        void onMessage(IpcChannel channel, Envelope message);

        /** The channel is closed; {@code error} is null for a clean end of stream. */
        void onClosed(IpcChannel channel, String error);
    }

    private final EventLoop loop;
    private final SocketChannel socket;
    private final FrameReader reader = new FrameReader();
    private final FrameWriter writer = new FrameWriter();
    private final List<Envelope> inbox = new ArrayList<>();
    private SelectionKey key;
    private Listener listener;
    private boolean closed;

    private IpcChannel(EventLoop loop, SocketChannel socket, Listener listener) {
        this.loop = loop;
        this.socket = socket;
        this.listener = listener;
    }

    /** Wraps an accepted connection and registers it with the loop. Loop thread only. */
    public static IpcChannel register(EventLoop loop, SocketChannel socket, Listener listener) throws IOException {
        assert loop.inLoop();
        socket.configureBlocking(false);
        IpcChannel channel = new IpcChannel(loop, socket, listener);
        channel.key = loop.register(socket, SelectionKey.OP_READ, channel);
        return channel;
    }

    public void setListener(Listener listener) {
        assert loop.inLoop();
        this.listener = listener;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Queues a message and writes what the socket takes now. Returns false if the channel is closed. */
    public boolean send(Envelope message) {
        assert loop.inLoop();
        if (closed) {
            return false;
        }
        writer.enqueue(message);
        flush();
        return !closed;
    }

    @Override
    public void onReady(SelectionKey k) {
        if (k.isValid() && k.isWritable()) {
            flush();
        }
        if (!closed && k.isValid() && k.isReadable()) {
            readAvailable();
        }
    }

    private void readAvailable() {
        boolean open;
        String error = null;
        try {
            open = reader.read(socket, inbox);
        } catch (FrameException e) {
            open = false;
            error = "protocol error: " + e.getMessage();
        } catch (IOException e) {
            open = false;
            error = "read failed: " + e.getMessage();
        }
        deliverInbox();
        if (!open) {
            close(error);
        }
    }

    private void deliverInbox() {
        for (int i = 0; i < inbox.size() && !closed; i++) {
            listener.onMessage(this, inbox.get(i));
        }
        inbox.clear();
    }

    private void flush() {
        try {
            boolean done = writer.flush(socket);
            if (key.isValid()) {
                key.interestOps(done ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            // The peer is gone; whatever it sent before is still readable, so drain it first.
            readAvailable();
            close("write failed: " + e.getMessage());
        }
    }

    /** Closes the socket and tells the listener once. {@code error} null = orderly. */
    public void close(String error) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        listener.onClosed(this, error);
    }
}
