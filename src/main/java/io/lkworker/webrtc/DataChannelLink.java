package io.lkworker.webrtc;

import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A data channel with its messages and state changes handed to the owner's executor. Message
 * buffers from libwebrtc are views of native memory that die with the callback: they are copied
 * before leaving it.
 */
public final class DataChannelLink implements AutoCloseable {

    private final RTCDataChannel channel;
    private final String label;
    private final Executor events;
    private final Consumer<byte[]> onMessage;
    private final Consumer<RTCDataChannelState> onState;
    private final Relay relay;
    private volatile boolean closed;
    private boolean disposed;

    public DataChannelLink(RTCDataChannel channel, Executor events, Consumer<byte[]> onMessage,
                           Consumer<RTCDataChannelState> onState) {
        this.channel = channel;
        this.label = channel.getLabel();
        this.events = events;
        this.onMessage = onMessage;
        this.onState = onState;
        this.relay = new Relay(this);
        channel.registerObserver(relay);
    }

    /**
     * What libwebrtc holds: webrtc-java 0.14.0 wraps the observer in a native object with a JNI global
     * reference, and {@code unregisterObserver} only detaches that object, never deletes it (webrtc-java
     * issue #146; {@code JNI_RTCDataChannel.cpp}). So the observer stays reachable for the life of the
     * process: it must not reach the session. This shell reaches the link only through {@link #link},
     * cleared on {@link #close()}; what leaks per channel is then this object and the small native one.
     */
    private static final class Relay implements RTCDataChannelObserver {
        private volatile DataChannelLink link;

        Relay(DataChannelLink link) {
            this.link = link;
        }

        @Override
        public void onBufferedAmountChange(long previousAmount) {
        }

        @Override
        public void onStateChange() {
            DataChannelLink l = link;
            if (l != null && !l.closed) {
                RTCDataChannelState state = l.channel.getState();
                l.events.execute(() -> l.onState.accept(state));
            }
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
            DataChannelLink l = link;
            if (l == null || l.closed) {
                return;
            }
            ByteBuffer data = buffer.data;
            byte[] copy = new byte[data.remaining()];
            data.get(copy);
            l.events.execute(() -> l.onMessage.accept(copy));
        }
    }

    public String label() {
        return label;
    }

    public boolean isOpen() {
        return !closed && channel.getState() == RTCDataChannelState.OPEN;
    }

    public long bufferedAmount() {
        return closed ? 0 : channel.getBufferedAmount();
    }

    /** Sends one binary message; false if the channel is not open. */
    public boolean send(byte[] message) {
        if (!isOpen()) {
            return false;
        }
        try {
            // A heap buffer is sent whole (webrtc-java ignores position and limit): wrap the exact array.
            channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(message), true));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Unregisters and closes the channel (idempotent). Release it with {@link #dispose()} after its peer connection closed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        relay.link = null;
        channel.unregisterObserver();
        channel.close();
    }

    /** Frees the native channel; only after {@link #close()} and the peer connection's close (libwebrtc's order). */
    public void dispose() {
        close();
        if (!disposed) {
            disposed = true;
            channel.dispose();
        }
    }
}
