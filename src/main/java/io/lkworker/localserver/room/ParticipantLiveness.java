package io.lkworker.localserver.room;

import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.lkworker.localserver.http.PauseGate;
import io.lkworker.webrtc.OwnerThread;
import java.time.Duration;
import java.util.List;
import livekit.LivekitModels.DisconnectReason;
import livekit.LivekitRtc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a room drops a participant whose signalling or media went away, and when it waits for a
 * resume instead. The rules:
 * <ul>
 *   <li>signalling ended because the client misbehaved (flood, stopped reading, reader failure):
 *       removed at once;</li>
 *   <li>signalling lost (EOF, reset, ping timeout, told to resume): kept for a resume for the ping
 *       timeout. The real server keeps an ICE-connected participant without a deadline
 *       (livekit/livekit pkg/rtc/participant.go HandleSignalSourceClose); a development server must
 *       also notice crashed clients;</li>
 *   <li>a peer connection leaves CONNECTED while the signalling is down: the client is gone (crashed),
 *       removed at once;</li>
 *   <li>a peer connection FAILED: {@code Leave{RESUME}}, signalling closed, removed after
 *       {@link #TRANSPORT_FAILED_CLEANUP} unless a resume came first (participant.go
 *       onAnyTransportFailed);</li>
 *   <li>the periodic {@link #sweep}: a client silent longer than the ping timeout has its signalling
 *       closed (then the rules above apply); one whose write has been blocked longer than
 *       {@link SignalOutbox#WRITE_TIMEOUT} does not read and is dropped.</li>
 * </ul>
 * While the server is paused nothing is judged and removal timers wait. Room thread only.
 */
final class ParticipantLiveness {

    private static final Logger log = LoggerFactory.getLogger(ParticipantLiveness.class);

    /**
     * After a peer connection FAILED the participant is told to resume and removed this much later
     * unless a resume's ICE restart came first: livekit/livekit pkg/rtc/participant.go
     * onAnyTransportFailed, disconnectCleanupDuration.
     */
    static final Duration TRANSPORT_FAILED_CLEANUP = Duration.ofSeconds(5);
    /**
     * How often the room checks its clients' signalling: silence over the ping timeout, a write blocked
     * over {@link SignalOutbox#WRITE_TIMEOUT}. Fine enough for test timeouts of a second or more.
     */
    static final Duration SWEEP_PERIOD = Duration.ofMillis(250);

    /** The room, as these rules see it. */
    interface Room {
        String name();

        /** Its participants now (empty once closed). */
        List<ParticipantSession> participants();

        /** Removes the participant (it is not told: its signalling is gone or going). */
        void remove(ParticipantSession s, DisconnectReason reason);
    }

    private final OwnerThread owner;
    private final PauseGate gate;
    private final Duration pingTimeout;
    private final Room room;

    ParticipantLiveness(OwnerThread owner, PauseGate gate, Duration pingTimeout, Room room) {
        this.owner = owner;
        this.gate = gate;
        this.pingTimeout = pingTimeout;
        this.room = room;
    }

    /** The participant's current signalling connection ended. */
    void onSignalEnded(ParticipantSession s, SignalLink.End end) {
        if (!end.resumable()) {
            log.warn("room '{}': signalling of {} ended ({}); removing it", room.name(), s.identity(), end.why());
            room.remove(s, DisconnectReason.SIGNAL_CLOSE);
            return;
        }
        if (s.removalArmed()) {
            log.info("room '{}': signalling of {} ended ({}); its removal is already pending", room.name(),
                    s.identity(), end.why());
            return;
        }
        log.info("room '{}': signalling of {} ended ({}); keeping it {} s for a resume", room.name(), s.identity(),
                end.why(), pingTimeout.toSeconds());
        armRemoval(s, pingTimeout, "no resume within " + pingTimeout.toSeconds() + " s", DisconnectReason.SIGNAL_CLOSE);
    }

    /** One of the participant's peer connections changed from {@code previous} to {@code state}. */
    void onTransportState(ParticipantSession s, boolean publisherSide, RTCPeerConnectionState previous,
                          RTCPeerConnectionState state) {
        String side = publisherSide ? "publisher" : "subscriber";
        if (!s.signalUp() && !s.awaitingIceRestart() && ParticipantSession.mediaLeftConnected(previous, state)) {
            // Signalling and media both gone: a crashed or vanished client, not one about to resume.
            log.info("room '{}': the {} connection of {} went {} while its signalling is down; removing it",
                    room.name(), side, s.identity(), state);
            room.remove(s, DisconnectReason.CONNECTION_TIMEOUT);
        } else if (state == RTCPeerConnectionState.FAILED && !s.awaitingIceRestart()) {
            log.warn("room '{}': the {} connection of {} failed; asking it to resume within {} s", room.name(), side,
                    s.identity(), TRANSPORT_FAILED_CLEANUP.toSeconds());
            s.setAwaitingIceRestart(true);
            s.link().close(LocalRoom.leave(DisconnectReason.CONNECTION_TIMEOUT, LivekitRtc.LeaveRequest.Action.RESUME),
                    new SignalLink.End("transport failed", true));
            armRemoval(s, TRANSPORT_FAILED_CLEANUP, "no resume after its " + side + " connection failed",
                    DisconnectReason.CONNECTION_TIMEOUT);
        }
    }

    /** Periodic: ping timeouts and blocked writes (see the class comment). */
    void sweep() {
        if (gate.isPaused()) {
            return;
        }
        long now = System.nanoTime();
        for (ParticipantSession s : room.participants()) {
            if (!s.signalUp()) {
                continue;
            }
            SignalLink link = s.link();
            Duration blocked = link.writeBlockedFor(now);
            if (blocked.compareTo(SignalOutbox.WRITE_TIMEOUT) > 0) {
                log.warn("room '{}': {} has not read its signalling for {} ms; dropping it", room.name(), s.identity(),
                        blocked.toMillis());
                link.fail(new SignalLink.End("write blocked " + blocked.toMillis() + " ms", false));
            } else if (link.silentFor(now).compareTo(pingTimeout) > 0) {
                log.info("room '{}': {} sent nothing for {} s (ping timeout); closing its signalling", room.name(),
                        s.identity(), pingTimeout.toSeconds());
                link.fail(new SignalLink.End("ping timeout", true));
            }
        }
    }

    /** Removes {@code s} after {@code after} unless a resume cancels it (a paused server waits longer). */
    private void armRemoval(ParticipantSession s, Duration after, String why, DisconnectReason reason) {
        s.armRemoval(owner.schedule(() -> {
            if (s.isClosed()) {
                return;
            }
            if (gate.isPaused()) {
                armRemoval(s, after, why, reason);
                return;
            }
            log.info("room '{}': removing {}: {}", room.name(), s.identity(), why);
            room.remove(s, reason);
        }, after.toMillis()));
    }
}
