package io.lkworker.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one WebRTC stack: a peer-connection factory on a headless audio device (no sound
 * card, no PulseAudio server), and the {@link AudioPump} that feeds every local audio source. Every
 * room client and the dev server's media side in a process share it.
 *
 * <p><b>Why operations go through {@link #reconfigure}.</b> Two things in libwebrtc/webrtc-java are
 * unsafe while audio is being pushed: (1) when a send stream starts, libwebrtc starts the device
 * module's recording thread, which then feeds every send stream concurrently with our pushes (seen:
 * the JVM aborts in {@code audio_send_stream.cc}'s race checker, or the audio is garbage);
 * (2) webrtc-java's custom audio source keeps its sinks in an unsynchronised vector that attaching a
 * track to a sender modifies ({@code CustomAudioSource.cpp}: the lock is commented out). Both happen
 * only while libwebrtc applies something to a connection: a description being set (that is where
 * senders get their SSRCs, attach to their sources and start their streams), a track added or removed,
 * a sender activated, a connection closed. So exactly those calls run under one lock that the pump
 * also holds for each 10 ms push, and stop the device's recording before releasing it. Creating an
 * offer or answer changes no sender and runs without it, and a description's callback is awaited
 * without it once the description is applied ({@link Peer}): the lock is not held while waiting for
 * libwebrtc's signalling thread, which all connections of the process share, so one slow SDP step no
 * longer stalls the audio of every room.
 *
 * <p><b>Recording: start and stop must never overlap.</b> webrtc-java 0.14.0's headless device
 * (devopvoid/webrtc-java, {@code webrtc-jni/src/main/cpp/src/api/HeadlessAudioDeviceModule.cpp})
 * flips its {@code recording_} flag under its mutex but joins or replaces the capture thread outside
 * it: {@code StopRecording} clears the flag, then joins {@code capture_thread_}; {@code StartRecording}
 * sets the flag, spawns a new thread and move-assigns it to {@code capture_thread_}, which first joins
 * the old one (webrtc, {@code rtc_base/platform_thread.cc}, {@code PlatformThread::operator=} calls
 * {@code Finalize}). A start that lands while a stop is joining sets the flag back, so the old capture
 * thread never ends, and two threads join it; even when it does end, glibc returns only one of two
 * concurrent {@code pthread_join} calls on a thread (checked on glibc 2.36: the second waits forever).
 * Either way the stopping thread and libwebrtc's worker thread hang, the first holding this lock.
 * libwebrtc starts recording from {@code AudioState::AddSendingStream} (webrtc, {@code audio/audio_state.cc})
 * whenever a send stream starts and the device is not recording, on its worker thread; and it starts a
 * channel's send stream by itself, outside any call of ours, when the channel's transport first becomes
 * writable (webrtc, {@code pc/channel.cc}, {@code BaseChannel::ChannelWritable_n}). That is the start
 * that raced our stops (the pump stopped recording at every tick; a stop here races it just the same,
 * seen in {@code SendStreamChurnTest}), and it could also start recording between the pump's stop and
 * its pushes (the race-checker abort above). So no audio send stream may start on its own: {@link Peer}
 * adds audio senders inactive until their connection is up and activates them here
 * ({@link HeldAudioSenders}). Every start of recording then happens inside {@code reconfigure}, the
 * only place that stops it, on the same thread, and the pump never touches the device. No Java method
 * of 0.14.0 tells whether the device records, so the stop is unconditional (it returns at once when
 * the device is not recording). The device of webrtc-java's main branch (2026-08) still starts and
 * joins its capture thread this way.
 *
 * <p>Threads: libwebrtc calls back on its own native threads (signalling; playout for audio sinks).
 * Both are attached to the JVM as non-daemon threads, so a process that used WebRTC exits through
 * {@code System.exit} (the job runner does), or calls {@link #shutdown}.
 *
 * <p><b>"VM attach current thread failed" / "Failed to attach thread" at exit</b> is printed by every
 * JVM that merely loaded the library, even one that stopped playout and disposed the factory first
 * (checked: {@link #shutdown} before {@code System.exit}, or only {@code NativeLibrary.load()}). It does
 * not come from a native thread still running: webrtc-java's JNI layer caches Java classes and
 * factories in C++ function-local statics holding JNI global references
 * ({@code JavaClasses::getClassMap}, {@code JavaFactories::getFactoryMap}); their destructors run in
 * {@code exit()}, after the JVM has shut down, and each {@code ~JavaGlobalRef} calls
 * {@code AttachCurrentThread()} ({@code JavaRef.h}), whose first use on that thread (HotSpot's VM thread
 * for {@code System.exit}, the launcher thread after {@code main} returns) tries to attach to the dead
 * VM and prints both lines ({@code JavaThreadEnv.cpp}). No Java code runs after that point, so nothing
 * here can stop it; it is harmless (the process is exiting). The fix is upstream: skip the
 * {@code DeleteGlobalRef} when the VM is gone.
 */
public final class MediaEngine {

    private static final Logger log = LoggerFactory.getLogger(MediaEngine.class);
    /** Bound on one reconfiguration's wait for the pump: a tick takes well under a millisecond. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    private static MediaEngine shared;

    private final HeadlessAudioDeviceModule audioDevice;
    private final PeerConnectionFactory factory;
    private final ReentrantLock lock = new ReentrantLock();
    private final AudioPump pump;
    private volatile boolean shutdown;

    private MediaEngine() {
        NativeLibrary.load();
        HeadlessAudioDeviceModule adm = new HeadlessAudioDeviceModule();
        this.audioDevice = adm;
        this.factory = new PeerConnectionFactory(adm);
        // Remote audio reaches track sinks only when the playout side pulls it: keep playout running.
        // After the factory: creating it initializes the device, which must come first (seen: playout
        // started before the factory never delivers a frame).
        adm.initPlayout();
        adm.startPlayout();
        this.pump = new AudioPump(this);
    }

    /** The process's engine, created (and the native library loaded) on first use. */
    public static synchronized MediaEngine shared() {
        if (shared == null || shared.shutdown) {
            long started = System.nanoTime();
            shared = new MediaEngine();
            log.debug("WebRTC engine ready in {} ms", (System.nanoTime() - started) / 1_000_000);
        }
        return shared;
    }

    /** Loads the library and creates the engine now, so a later connect pays nothing for it. */
    public static void preload() {
        shared();
    }

    public PeerConnectionFactory factory() {
        return factory;
    }

    public AudioPump pump() {
        return pump;
    }

    /**
     * Runs {@code op} (a peer-connection call that may attach, detach or start sending a track) with
     * the audio pump held off, then stops the audio device's recording thread if libwebrtc started it.
     * Reentrant; the caller's thread blocks for as long as {@code op} does. The only caller of the
     * device's stop while connections exist (see the class comment).
     */
    public <T> T reconfigure(Supplier<T> op) {
        boolean locked;
        try {
            locked = lock.tryLock(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the audio pump", e);
        }
        if (!locked) {
            throw new IllegalStateException("the audio pump held its lock for over " + LOCK_WAIT.toSeconds() + " s");
        }
        try {
            return op.get();
        } finally {
            try {
                audioDevice.stopRecording();
            } finally {
                lock.unlock();
            }
        }
    }

    public void reconfigure(Runnable op) {
        reconfigure(() -> {
            op.run();
            return null;
        });
    }

    /** Taken by the pump for each tick; see the class comment. */
    ReentrantLock pushLock() {
        return lock;
    }

    /**
     * Stops the pump and releases the factory and device. Only for processes that go on living
     * without WebRTC (tests); every peer connection, track and source must be closed first.
     */
    public static synchronized void shutdown() {
        MediaEngine engine = shared;
        if (engine == null || engine.shutdown) {
            return;
        }
        engine.shutdown = true;
        engine.pump.stop();
        engine.audioDevice.stopPlayout();
        engine.audioDevice.stopRecording();
        engine.factory.dispose();
        engine.audioDevice.dispose();
        shared = null;
    }
}
