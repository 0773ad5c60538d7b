package io.lkworker.rtc;

import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.webrtc.OwnerThread;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room's signalling, across connections: opens the join connection and, after a loss, the resume
 * or rejoin connection; sends pings and notices a silent server; keeps the newest token the server
 * pushed ({@code refresh_token}) for the next connection; and while the room is recovering, holds
 * requests back and sends them once it is back (the pass-through kinds go out at once).
 *
 * <p>Facts from LiveKit's clients: any message from the server re-arms the ping timeout, and its
 * expiry counts as a lost connection (client-sdk-js {@code SignalClient.resetPingTimeout},
 * rust-sdks livekit-api/src/signal_client/mod.rs {@code signal_task}); while reconnecting only
 * {@code syncState}, {@code trickle}, {@code offer}, {@code answer}, {@code simulate} and {@code leave}
 * pass (client-sdk-js {@code passThroughQueueSignals}, rust-sdks {@code is_pass_through}).
 *
 * <p>Session thread only, except {@link #open}, which blocks its caller (an agent thread or the
 * recovery thread) while the WebSocket opens. Messages of a connection that has been replaced are
 * dropped, so a late frame of the old socket never reaches the room.
 */
final class SignalClient {

    private static final Logger log = LoggerFactory.getLogger(SignalClient.class);

    /** What the signalling tells the engine; on the session thread. */
    interface Listener {
        void onSignal(SignalResponse message);

        /** The current connection closed or went silent; {@code why} is for the log. */
        void onSignalLost(String why);
    }

    private final String url;
    private final AutoSubscribe autoSubscribe;
    private final OwnerThread owner;
    private final Listener listener;
    private volatile String token;
    private SignalConnection current;
    private int generation;
    private final ArrayDeque<SignalRequest> held = new ArrayDeque<>();
    private boolean holding;
    private ScheduledFuture<?> pinger;
    private long lastMessageNanos = System.nanoTime();
    private long rttMillis;

    SignalClient(String url, String token, AutoSubscribe autoSubscribe, OwnerThread owner, Listener listener) {
        this.url = url;
        this.token = token;
        this.autoSubscribe = autoSubscribe;
        this.owner = owner;
        this.listener = listener;
    }

    /**
     * Opens a new connection, replacing (and dropping) the current one: a join when {@code resumeSid}
     * is null, else a resume of that session. Blocks the caller; never call it on the session thread.
     *
     * @throws SignalConnection.OpenFailure if it cannot be opened within {@code timeout}
     */
    void open(String resumeSid, int reconnectReason, Duration timeout) {
        URI uri = resumeSid == null ? SignalUrl.rtc(url, autoSubscribe)
                : SignalUrl.resume(url, autoSubscribe, resumeSid, reconnectReason);
        SignalConnection connection = Awaits.call(owner, () -> {
            dropCurrent();
            int mine = ++generation;
            lastMessageNanos = System.nanoTime();
            current = new SignalConnection(uri, token, timeout, owner.executor(), new SignalConnection.Listener() {
                @Override
                public void onMessage(SignalResponse message) {
                    if (mine == generation) {
                        received(message);
                    }
                }

                @Override
                public void onClosed(String why) {
                    if (mine == generation) {
                        current = null;
                        listener.onSignalLost("signalling connection " + why);
                    }
                }
            });
            return current;
        });
        connection.open(timeout);
    }

    private void received(SignalResponse message) {
        lastMessageNanos = System.nanoTime();
        switch (message.getMessageCase()) {
            case REFRESH_TOKEN -> token = message.getRefreshToken();
            case PONG_RESP -> rttMillis = Math.max(0, System.currentTimeMillis() - message.getPongResp().getLastPingTimestamp());
            default -> listener.onSignal(message);
        }
    }

    /** Sends {@code ping_req} every {@code interval}; silence longer than {@code timeout} counts as a lost connection. */
    void startPings(long intervalSeconds, long timeoutSeconds) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        lastMessageNanos = System.nanoTime();
        pinger = owner.scheduleAtFixedRate(() -> ping(timeoutSeconds), TimeUnit.SECONDS.toMillis(Math.max(1, intervalSeconds)));
    }

    private void ping(long timeoutSeconds) {
        if (current == null || !current.isOpen()) {
            return; // no connection, or one still opening: its open has a timeout of its own
        }
        if (System.nanoTime() - lastMessageNanos > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
            log.warn("no message from the LiveKit server for {} s; the signalling connection is lost", timeoutSeconds);
            dropCurrent();
            listener.onSignalLost("silent for " + timeoutSeconds + " s (ping timeout)");
            return;
        }
        sendNow(SignalRequest.newBuilder().setPingReq(LivekitRtc.Ping.newBuilder()
                .setTimestamp(System.currentTimeMillis()).setRtt(rttMillis)).build());
    }

    /** Sends now, or holds the request until {@link #release()} while the room recovers. */
    void send(SignalRequest request) {
        if (holding && !passesThrough(request)) {
            held.add(request);
            return;
        }
        sendNow(request);
    }

    /** Sends now, past the held requests (the recovery's own requests on a new session). */
    void sendNow(SignalRequest request) {
        SignalConnection c = current;
        if (c == null || !c.send(request)) {
            log.debug("no signalling connection; dropped {}", request.getMessageCase());
        }
    }

    private static boolean passesThrough(SignalRequest r) {
        return switch (r.getMessageCase()) {
            case SYNC_STATE, TRICKLE, OFFER, ANSWER, SIMULATE, LEAVE, PING, PING_REQ -> true;
            default -> false;
        };
    }

    /** From now on requests other than the pass-through kinds wait for {@link #release()}. */
    void hold() {
        holding = true;
    }

    /** Sends what was held, in order, and stops holding. */
    void release() {
        holding = false;
        while (!held.isEmpty()) {
            sendNow(held.poll());
        }
    }

    /** Drops what was held (the session they belonged to is gone: a full reconnect starts a new one). */
    void discardHeld() {
        held.clear();
    }

    boolean isOpen() {
        return current != null && current.isOpen();
    }

    /** Drops the current connection without a close handshake; no loss is reported for it. */
    void dropCurrent() {
        if (current != null) {
            generation++;
            current.abort();
            current = null;
        }
    }

    /** Ends signalling for good: an optional last request, then a normal close. */
    void close(SignalRequest last) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        held.clear();
        if (current != null) {
            generation++;
            if (last != null) {
                current.send(last);
            }
            current.close();
            current = null;
        }
    }
}
