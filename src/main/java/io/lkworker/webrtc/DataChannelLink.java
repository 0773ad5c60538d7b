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
    private volatile boolean closed;
    private boolean disposed;

    public DataChannelLink(RTCDataChannel channel, Executor events, Consumer<byte[]> onMessage,
                           Consumer<RTCDataChannelState> onState) {
        this.channel = channel;
        this.label = channel.getLabel();
        channel.registerObserver(new RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {
            }

            @Override
            public void onStateChange() {
                if (!closed) {
                    RTCDataChannelState state = channel.getState();
                    events.execute(() -> onState.accept(state));
                }
            }

            @Override
            public void onMessage(RTCDataChannelBuffer buffer) {
                if (closed) {
                    return;
                }
                ByteBuffer data = buffer.data;
                byte[] copy = new byte[data.remaining()];
                data.get(copy);
                events.execute(() -> onMessage.accept(copy));
            }
        });
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
