package io.lkworker.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpReceiver;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCSignalingState;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStream;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection, made easy to drive from a single owner thread: SDP steps are synchronous
 * (each waits for libwebrtc's callback), remote ICE candidates that arrive before the remote
 * description are queued, and every libwebrtc callback is handed to the owner's executor, never
 * run on libwebrtc's signalling thread (blocking that thread would stall every connection of the
 * process). Operations that may attach or start a track (setting a description, adding or removing a
 * track, closing) run through {@link MediaEngine#reconfigure}; waits for libwebrtc do not (see {@link #apply}).
 *
 * <p>Not thread-safe: the owner calls it from one thread (its executor's).
 */
public final class Peer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Peer.class);

    /** How long one SDP step may take; libwebrtc answers in milliseconds, so this only catches a wedge. */
    private static final Duration SDP_TIMEOUT = Duration.ofSeconds(10);

    /** Callbacks, all run on the owner's executor. */
    public interface Listener {
        void onIceCandidate(RTCIceCandidate candidate);

        default void onConnectionState(RTCPeerConnectionState state) {
        }

        default void onTrack(RTCRtpTransceiver transceiver) {
        }

        default void onRemoveTrack(RTCRtpReceiver receiver) {
        }

        default void onDataChannel(RTCDataChannel channel) {
        }
    }

    private final MediaEngine engine;
    private final String name;
    private final RTCPeerConnection pc;
    private final Observer observer;
    private final RTCConfiguration config;
    /** Native references libwebrtc handed us (senders from addTrack, transceivers from addTransceiver). */
    private final List<Object> owned = new ArrayList<>();
    private final List<RTCIceCandidate> pendingCandidates = new ArrayList<>();
    private final HeldAudioSenders heldAudio = new HeldAudioSenders();
    private boolean remoteDescriptionSet;
    private volatile boolean closed;

    public Peer(MediaEngine engine, String name, List<RTCIceServer> iceServers, Executor events, Listener listener) {
        this.engine = engine;
        this.name = name;
        this.config = new RTCConfiguration();
        config.iceServers = new ArrayList<>(iceServers);
        this.observer = new Observer(new Target(events, listener, this));
        this.pc = engine.factory().createPeerConnection(config, observer);
        if (pc == null) {
            throw new IllegalStateException("libwebrtc refused to create a peer connection");
        }
    }

    public String name() {
        return name;
    }

    /**
     * Creates an offer and sets it as the local description. Only setting it holds the audio pump off
     * (see {@link #apply}): creating it attaches nothing, and it is the step that can be slow (the
     * first offer waits for the DTLS certificate; every step waits for the process's one signalling
     * thread).
     */
    public RTCSessionDescription createOffer(boolean iceRestart) {
        RTCOfferOptions options = new RTCOfferOptions();
        options.iceRestart = iceRestart;
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        pc.createOffer(options, descriptionObserver(offer));
        RTCSessionDescription description = await(offer, "create an offer");
        setLocal(description);
        return description;
    }

    /** Creates an answer to the remote offer and sets it as the local description. */
    public RTCSessionDescription createAnswer() {
        CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
        pc.createAnswer(new RTCAnswerOptions(), descriptionObserver(answer));
        RTCSessionDescription description = await(answer, "create an answer");
        setLocal(description);
        return description;
    }

    /** Sets the remote description, then adds the candidates that arrived before it. */
    public void setRemoteDescription(RTCSessionDescription description) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        apply(description, "set the remote " + description.sdpType,
                observer -> pc.setRemoteDescription(description, observer), afterRemote(description.sdpType));
        remoteDescriptionSet = true;
        for (RTCIceCandidate c : pendingCandidates) {
            pc.addIceCandidate(c);
        }
        pendingCandidates.clear();
    }

    /**
     * Replaces the ICE servers (a resumed session gets new TURN credentials), keeping the rest of the
     * configuration; takes effect at the next ICE restart, as in a browser.
     */
    public void setIceServers(List<RTCIceServer> servers) {
        if (closed) {
            return;
        }
        config.iceServers = new ArrayList<>(servers);
        pc.setConfiguration(config);
    }

    public void addIceCandidate(RTCIceCandidate candidate) {
        if (closed) {
            return;
        }
        if (remoteDescriptionSet) {
            pc.addIceCandidate(candidate);
        } else {
            pendingCandidates.add(candidate);
        }
    }

    public RTCRtpSender addTrack(MediaStreamTrack track, List<String> streamIds) {
        RTCRtpSender sender = engine.reconfigure(() -> {
            RTCRtpSender added = pc.addTrack(track, streamIds);
            heldAudio.holdIfNeeded(added, track);
            return added;
        });
        owned.add(sender);
        return sender;
    }

    public RTCRtpTransceiver addTransceiver(MediaStreamTrack track, RTCRtpTransceiverInit init) {
        RTCRtpTransceiver transceiver = engine.reconfigure(() -> {
            RTCRtpTransceiver added = pc.addTransceiver(track, init);
            heldAudio.holdIfNeeded(added.getSender(), track);
            return added;
        });
        owned.add(transceiver);
        return transceiver;
    }

    /** No-op once closed: the sender died with the connection. */
    public void removeTrack(RTCRtpSender sender) {
        if (!closed) {
            heldAudio.forget(sender);
            engine.reconfigure(() -> pc.removeTrack(sender));
        }
    }

    public RTCDataChannel createDataChannel(String label, RTCDataChannelInit init) {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        return pc.createDataChannel(label, init);
    }

    /** Empty once closed. */
    public RTCRtpTransceiver[] transceivers() {
        return closed ? new RTCRtpTransceiver[0] : pc.getTransceivers();
    }

    public RTCPeerConnectionState connectionState() {
        return closed ? RTCPeerConnectionState.CLOSED : pc.getConnectionState();
    }

    public RTCSignalingState signalingState() {
        return closed ? RTCSignalingState.CLOSED : pc.getSignalingState();
    }

    public boolean hasRemoteDescription() {
        return remoteDescriptionSet;
    }

    public RTCPeerConnection raw() {
        return pc;
    }

    /**
     * Closes the connection and frees it (idempotent). Senders' tracks must be removed by their owners
     * first, and remote tracks taken from it (a receiver's {@code getTrack()}) detached: they die with
     * the connection, and their wrappers point at freed memory afterwards. Senders and transceivers this
     * peer returned are released too; calls on them then throw. Data channels are the caller's to
     * dispose, after this.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heldAudio.clear();
        observer.detach();
        long handle = NativeRelease.handle(pc);
        engine.reconfigure(() -> {
            pc.close();
            // webrtc-java issue #239: close() leaves the native connection allocated; see NativeRelease.
            // The connection first, so that each reference released after it is the last one (the
            // counts then show a leak as "still referenced"); Close() has stopped every transceiver.
            NativeRelease.release(handle);
            owned.forEach(NativeRelease::releaseOwned);
            owned.clear();
        });
    }

    /**
     * Owner thread, on CONNECTED: activates the audio senders held back until now ({@link HeldAudioSenders}).
     * First a call that waits for libwebrtc's network thread ({@code setConfiguration} applies its ICE
     * part there; the configuration is unchanged). The DTLS handshake's completion marks the transport
     * connected and then writable in one network-thread task (webrtc, {@code p2p/dtls/dtls_transport.cc},
     * {@code OnDtlsEvent}), and becoming writable posts the channels' first-writable update to the worker
     * thread; CONNECTED is reported from that task or a later one. Once our network call has run, that
     * update is therefore queued on the worker, ahead of the activation (a worker call), so it runs first
     * and starts nothing while the encodings are inactive; the streams then start inside
     * {@code reconfigure}.
     */
    private void releaseHeldAudio() {
        List<RTCRtpSender> release = heldAudio.connected();
        if (release.isEmpty() || closed) {
            return;
        }
        try {
            pc.setConfiguration(config);
            engine.reconfigure(() -> release.forEach(sender -> HeldAudioSenders.setActive(sender, true)));
        } catch (RuntimeException e) {
            log.error("{}: could not start sending audio: {}", name, e.toString());
        }
    }

    private void setLocal(RTCSessionDescription description) {
        apply(description, "set the local " + description.sdpType,
                observer -> pc.setLocalDescription(description, observer), afterLocal(description.sdpType));
    }

    /**
     * Sets a description with the audio pump held off only while libwebrtc applies it, not while its
     * callback travels back. Applying is what attaches tracks to their custom sources and starts send
     * streams (and with them the audio device's recording; see {@link MediaEngine}). libwebrtc applies
     * a description inside the call itself when nothing else is queued on the connection (its
     * operations chain; {@code pc/sdp_offer_answer.cc}): the call is marshalled to the signalling
     * thread and returns after the task, and only the callback is posted. The signalling state shows
     * it: it changes in the same task. So: call, read the state (a call on the same thread, so after
     * that task), and release the pump if it moved; if not (the operation was queued behind another),
     * keep the pump held until the callback, as before.
     */
    private void apply(RTCSessionDescription description, String what, Consumer<SetSessionDescriptionObserver> call,
                       RTCSignalingState expected) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.reconfigure(() -> {
            RTCSignalingState before = pc.getSignalingState();
            call.accept(setObserver(done));
            if (!done.isDone() && (expected == null || before == expected || pc.getSignalingState() != expected)) {
                log.debug("{}: libwebrtc queued '{}'; the audio pump waits for it to be applied", name, what);
                await(done, what);
            }
        });
        await(done, what);
    }

    /** The signalling state right after applying a local description of this type; null if unknown. */
    private static RTCSignalingState afterLocal(RTCSdpType type) {
        return switch (type) {
            case OFFER -> RTCSignalingState.HAVE_LOCAL_OFFER;
            case ANSWER -> RTCSignalingState.STABLE;
            case PR_ANSWER -> RTCSignalingState.HAVE_LOCAL_PR_ANSWER;
            default -> null;
        };
    }

    private static RTCSignalingState afterRemote(RTCSdpType type) {
        return switch (type) {
            case OFFER -> RTCSignalingState.HAVE_REMOTE_OFFER;
            case ANSWER -> RTCSignalingState.STABLE;
            case PR_ANSWER -> RTCSignalingState.HAVE_REMOTE_PR_ANSWER;
            default -> null;
        };
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(SDP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + ": could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + ": libwebrtc did not " + what + " within " + SDP_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting to " + what, e);
        }
    }

    private static CreateSessionDescriptionObserver descriptionObserver(CompletableFuture<RTCSessionDescription> f) {
        return new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                f.complete(description);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    private static SetSessionDescriptionObserver setObserver(CompletableFuture<Void> f) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                f.complete(null);
            }

            @Override
            public void onFailure(String error) {
                f.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

    /**
     * What libwebrtc holds (through a JNI global reference, webrtc-java issue #146): runs on its
     * signalling thread and only hands events over. It reaches the owner's executor and listener only
     * through {@link #target}, cleared on {@link #close()}, so that whatever native code still holds
     * the observer (a close that threw, a peer nobody closed, a later webrtc-java that keeps it longer)
     * keeps this shell alive, not the room.
     */
    private static final class Observer implements PeerConnectionObserver {
        private volatile Target target;

        Observer(Target target) {
            this.target = target;
        }

        void detach() {
            target = null;
        }

        /**
         * Checked again when the event runs: an event queued before {@link #close()} but run after it
         * carries wrappers (transceiver, receiver) whose native objects died with the connection.
         */
        private void post(Consumer<Listener> call) {
            postToTarget(t -> call.accept(t.listener()));
        }

        /** Runs {@code call} on the owner's thread unless the peer was closed before it runs. */
        private void postToTarget(Consumer<Target> call) {
            Target t = target;
            if (t != null) {
                t.events().execute(() -> {
                    if (target != null) {
                        call.accept(t);
                    }
                });
            }
        }

        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
            post(l -> l.onIceCandidate(candidate));
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
            postToTarget(t -> {
                if (state == RTCPeerConnectionState.CONNECTED) {
                    t.peer().releaseHeldAudio();
                }
                t.listener().onConnectionState(state);
            });
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            post(l -> l.onTrack(transceiver));
        }

        @Override
        public void onRemoveTrack(RTCRtpReceiver receiver) {
            post(l -> l.onRemoveTrack(receiver));
        }

        @Override
        public void onDataChannel(RTCDataChannel channel) {
            Target t = target;
            if (t == null) {
                channel.dispose(); // ours to free (webrtc-java hands over a reference), and nobody will
                return;
            }
            t.events().execute(() -> {
                if (target != null) {
                    t.listener().onDataChannel(channel);
                } else {
                    channel.dispose();
                }
            });
        }

        @Override
        public void onAddStream(MediaStream stream) {
            // Plan B leftovers; tracks arrive through onTrack.
        }
    }

    /** {@code peer} only for its own reactions to events; cleared with the rest on close. */
    private record Target(Executor events, Listener listener, Peer peer) {
    }
}
