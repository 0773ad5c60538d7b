package io.lkworker.rtc;

import io.lkworker.api.rtc.RoomException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import livekit.LivekitModels;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a room back after its connection was lost, as LiveKit's clients do (client-sdk-js
 * src/room/RTCEngine.ts {@code attemptReconnect}, {@code resumeConnection}, {@code restartConnection};
 * rust-sdks livekit/src/rtc_engine/mod.rs {@code reconnect_task}):
 *
 * <ol>
 *   <li><b>Resume</b> first: a new signalling connection for the same session ({@code reconnect=1},
 *   the participant sid); the server answers {@code ReconnectResponse}; this client sends its
 *   {@code SyncState}, restarts ICE on the publisher (the server restarts the subscriber with a new
 *   offer), waits for both media connections, then sends what it held back and the reliable data the
 *   server missed. Tracks, sources, streams and subscriptions carry on untouched.</li>
 *   <li><b>Full reconnect</b> when a resume cannot work (the server answers {@code Leave{RECONNECT}}
 *   or does not know the session, the media does not come back, a negotiation got stuck) or when the
 *   server asks for it: leave, close both transports, join again as a new participant, and republish
 *   the local tracks (same {@code AudioSource}s, new track sids); remote participants are announced
 *   gone and back, their old tracks end.</li>
 * </ol>
 *
 * A resume that fails because the signalling could not be opened is tried again as a resume; any
 * other failure makes the next attempt a full reconnect. Attempts are spaced by {@link ReconnectPolicy}
 * and bounded by its time budget; a refusal of the token (HTTP 401/403) or a {@code Leave{DISCONNECT}}
 * ends recovery at once. When recovery gives up the room disconnects with the reason of the loss.
 *
 * <p>Threads: triggers, and every step that touches the session, run on the session thread; the
 * waiting (sockets opening, answers, ICE) happens on this class's own thread, one per recovery.
 */
final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    /** Recovery ends now: the server said so, or refused us. */
    private static final class GiveUp extends RuntimeException {
        final String reason;

        GiveUp(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final RtcEngine engine;
    private final ReconnectPolicy policy;
    private final String name;
    private final Semaphore wake = new Semaphore(0);
    // Session thread:
    private boolean running;
    private boolean fullNext;
    private int reasonCode;
    private String lossReason = "SIGNAL_CLOSE";
    private CompletableFuture<SignalResponse> firstMessage;
    // Any thread:
    private volatile Thread thread;
    private volatile boolean stopped;
    private volatile boolean givingUp;

    Recovery(RtcEngine engine, ReconnectPolicy policy, String name) {
        this.engine = engine;
        this.policy = policy;
        this.name = name;
    }

    /** Session thread: a resume waits for the server's first answer (a reconnect response or a leave). */
    boolean awaitingFirstMessage() {
        return firstMessage != null && !firstMessage.isDone();
    }

    void onFirstMessage(SignalResponse message) {
        firstMessage.complete(message);
    }

    /**
     * Session thread: the connection was lost ({@code full}: a resume cannot help). Starts recovery, or
     * folds the trigger into the one running; {@code now} skips the wait before the next attempt (the
     * server asked). {@code lossReason} is the room's disconnect reason if recovery fails.
     */
    void trigger(boolean full, LivekitModels.ReconnectReason reason, boolean now, String lossReason) {
        if (stopped) {
            return;
        }
        if (!policy.enabled()) {
            log.warn("the room connection was lost and reconnecting is off (reconnect timeout 0); disconnecting");
            engine.shutdown(lossReason, false);
            return;
        }
        fullNext |= full;
        if (running) {
            if (now) {
                wake.release();
            }
            return;
        }
        running = true;
        reasonCode = reason.getNumber();
        this.lossReason = lossReason;
        engine.enterRecovery();
        java.util.Map<String, String> mdc = org.slf4j.MDC.getCopyOfContextMap(); // the job's id and room, as on the session thread
        Thread t = new Thread(() -> {
            if (mdc != null) {
                org.slf4j.MDC.setContextMap(mdc);
            }
            run(now);
        }, name + "-recovery");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Session thread: the room is ending; a recovery in progress stops. */
    void stop() {
        stopped = true;
        wake.release();
        if (firstMessage != null) {
            firstMessage.completeExceptionally(new RoomException("room disconnected"));
        }
        Thread t = thread;
        if (t != null && !givingUp) {
            t.interrupt();
        }
    }

    private void run(boolean immediately) {
        long started = System.nanoTime();
        long deadline = started + policy.budget().toNanos();
        boolean skipWait = immediately;
        String lastError = "";
        int attempt = 0;
        while (!stopped) {
            Duration delay = skipWait ? Duration.ZERO : policy.delayBefore(attempt);
            skipWait = false;
            if (System.nanoTime() + delay.toNanos() >= deadline) {
                break;
            }
            try {
                if (wake.tryAcquire(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                    wake.drainPermits(); // the server asked: go now
                }
            } catch (InterruptedException e) {
                return; // stopped
            }
            if (stopped) {
                return;
            }
            boolean full = Awaits.call(engine.owner, () -> fullNext);
            attempt++;
            try {
                if (full) {
                    log.info("rejoining the room (full reconnect, attempt {})", attempt);
                    rejoin(deadline);
                } else {
                    log.info("resuming the room connection (attempt {})", attempt);
                    resume(deadline);
                }
                Awaits.call(engine.owner, () -> {
                    running = false;
                    fullNext = false;
                    return null;
                });
                log.info("room {} after {} ms", full ? "rejoined" : "resumed",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                thread = null;
                return;
            } catch (GiveUp g) {
                finish(g.reason, g.getMessage());
                return;
            } catch (SignalConnection.OpenFailure e) {
                if (stopped) {
                    return;
                }
                if (e.httpStatus == 401 || e.httpStatus == 403) {
                    finish(lossReason, "the server no longer accepts the token: " + e.getMessage());
                    return;
                }
                lastError = e.getMessage();
                log.warn("{} attempt {} failed: {}", full ? "rejoin" : "resume", attempt, lastError);
            } catch (RoomException e) {
                if (stopped) {
                    return;
                }
                lastError = e.getMessage();
                log.warn("{} attempt {} failed: {}; the next attempt rejoins", full ? "rejoin" : "resume", attempt, lastError);
                Awaits.call(engine.owner, () -> fullNext = true);
            }
        }
        if (!stopped) {
            finish(lossReason, "could not resume or rejoin within " + policy.budget().toSeconds() + " s (" + attempt
                    + " attempts" + (lastError.isEmpty() ? "" : "; last: " + lastError) + ")");
        }
    }

    private void resume(long deadline) {
        String sid = Awaits.call(engine.owner, engine::participantSid);
        int reason = Awaits.call(engine.owner, () -> {
            int r = reasonCode;
            reasonCode = 0; // later attempts: reason unknown, as client-sdk-js sends it
            return r;
        });
        CompletableFuture<SignalResponse> first = Awaits.call(engine.owner, () -> firstMessage = new CompletableFuture<>());
        long signalDeadline = Math.min(deadline, Awaits.deadline(ReconnectPolicy.SIGNAL_TIMEOUT));
        engine.signal.open(sid, reason, Awaits.remaining(signalDeadline));
        SignalResponse answer = Awaits.await(first, Math.min(deadline, Awaits.deadline(ReconnectPolicy.SIGNAL_TIMEOUT)),
                "the server's answer to the resume");
        if (answer.hasLeave()) {
            LivekitRtc.LeaveRequest leave = answer.getLeave();
            if (leave.getAction() == LivekitRtc.LeaveRequest.Action.DISCONNECT) {
                throw new GiveUp(leave.getReason().name(), "the server ended the session (" + leave.getReason() + ")");
            }
            throw new RoomException("the server cannot resume this session (" + leave.getReason() + ")");
        }
        LivekitRtc.ReconnectResponse response = answer.getReconnect();
        CompletableFuture<Void> restarted = Awaits.call(engine.owner, () -> engine.applyResume(response));
        long mediaDeadline = Math.min(deadline, Awaits.deadline(ReconnectPolicy.MEDIA_TIMEOUT));
        Awaits.await(restarted, mediaDeadline, "the server's answer to the publisher's ICE restart");
        Awaits.await(Awaits.call(engine.owner, engine::transportsConnected), mediaDeadline,
                "the media connections after the resume");
        Awaits.call(engine.owner, () -> {
            if (!engine.signal.isOpen()) {
                throw new SignalConnection.OpenFailure("the signalling connection dropped again during the resume", 0);
            }
            engine.finishResume(response.getLastMessageSeq());
            return null;
        });
    }

    private void rejoin(long deadline) {
        Awaits.call(engine.owner, () -> {
            firstMessage = null;
            engine.prepareRejoin();
            return null;
        });
        long signalDeadline = Math.min(deadline, Awaits.deadline(ReconnectPolicy.SIGNAL_TIMEOUT));
        engine.signal.open(null, 0, Awaits.remaining(signalDeadline));
        engine.awaitMedia(Math.min(deadline, Awaits.deadline(ReconnectPolicy.SIGNAL_TIMEOUT.plus(ReconnectPolicy.MEDIA_TIMEOUT))));
        engine.republish();
        Awaits.call(engine.owner, () -> {
            if (!engine.signal.isOpen()) {
                throw new SignalConnection.OpenFailure("the signalling connection dropped again during the rejoin", 0);
            }
            engine.finishRejoin();
            return null;
        });
    }

    private void finish(String reason, String why) {
        log.warn("room connection lost for good: {}", why);
        givingUp = true;
        try {
            Awaits.call(engine.owner, () -> {
                engine.shutdown(reason, false);
                return null;
            });
        } catch (RoomException e) {
            log.debug("room already closed: {}", e.getMessage());
        }
    }
}
