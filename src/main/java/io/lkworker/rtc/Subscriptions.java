package io.lkworker.rtc;

import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectionState;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.TrackKind;
import java.util.HashMap;
import java.util.Map;
import livekit.LivekitRtc;
import livekit.LivekitRtc.SignalRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which remote tracks we subscribe to: the agent's choices and audio-only auto-subscription, sent to
 * the server as they are made and again, all at once, in a resume's {@code SyncState}.
 *
 * <p><b>Threads.</b> The session thread owns the choices; {@link #update} may be called on any thread
 * and hands its step to the session thread.
 */
final class Subscriptions {

    /** Logs as the session, whose lines these were before this class was split from it. */
    private static final Logger log = LoggerFactory.getLogger(RtcSession.class);

    private final RtcSession session;
    private final AutoSubscribe autoSubscribe;
    /** Subscriptions the agent chose (or auto-subscription made), by track sid: sent in SyncState on resume. */
    private final Map<String, Boolean> choices = new HashMap<>();

    Subscriptions(RtcSession session, AutoSubscribe autoSubscribe) {
        this.session = session;
        this.autoSubscribe = autoSubscribe;
    }

    /** Subscribes to or unsubscribes from {@code trackSid}; returns without waiting for the server. */
    void update(String trackSid, boolean subscribe) {
        if (session.state() == ConnectionState.DISCONNECTED) {
            throw new RoomException("room is disconnected");
        }
        session.exec.execute(() -> {
            choices.put(trackSid, subscribe);
            session.engine().send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                    .addTrackSids(trackSid).setSubscribe(subscribe)).build(), false);
        });
    }

    /** Session thread: subscribes to {@code publication} if auto-subscription is audio only and it is audio. */
    void autoSubscribeAudio(RemoteTrackPublicationImpl publication) {
        if (autoSubscribe == AutoSubscribe.AUDIO_ONLY && publication.kind() == TrackKind.AUDIO) {
            choices.put(publication.sid(), true);
            log.debug("subscribing to audio track {}", publication.sid());
            session.engine().send(SignalRequest.newBuilder().setSubscription(LivekitRtc.UpdateSubscription.newBuilder()
                    .addTrackSids(publication.sid()).setSubscribe(true)).build(), false);
        }
    }

    /** Session thread: the subscriptions part of a resume's {@code SyncState}. */
    LivekitRtc.UpdateSubscription.Builder syncState() {
        boolean all = autoSubscribe == AutoSubscribe.ALL;
        // With auto-subscription the server needs the tracks we do NOT want; else the ones we do. Tracks
        // whose media simply has not arrived yet are not "unwanted" (client-sdk-swift #859).
        LivekitRtc.UpdateSubscription.Builder subscription = LivekitRtc.UpdateSubscription.newBuilder().setSubscribe(!all);
        choices.forEach((sid, wanted) -> {
            if (wanted != all) {
                subscription.addTrackSids(sid);
            }
        });
        return subscription;
    }

    /** Session thread, full reconnect: the new session starts with no choices. */
    void clear() {
        choices.clear();
    }
}
