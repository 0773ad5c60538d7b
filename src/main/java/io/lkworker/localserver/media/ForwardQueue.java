package io.lkworker.localserver.media;

import io.lkworker.webrtc.Pcm;
import java.util.ArrayDeque;

/**
 * The decoded 10 ms frames of one forwarded audio track between libwebrtc's playout thread, which
 * adds them, and the audio pump, which takes one per tick ({@link TrackForwarder}). Thread-safe.
 *
 * <p>Its length is delay through the server. A stall of the pump lets it grow to
 * {@link #MAX_FRAMES}, beyond which the oldest frame goes. A burst from the playout side leaves
 * frames standing in it, and every later frame waits behind them: silent frames beyond
 * {@link #TARGET_FRAMES} are therefore cut, where leaving out 10 ms cannot be heard; sound is never cut
 * below the maximum.
 */
final class ForwardQueue {

    /** At most 100 ms queued; more means the pump stalled, and old audio is worth less than low delay. */
    static final int MAX_FRAMES = 10;
    /**
     * What the queue may hold once a frame was added: the new one and one more, which absorbs the two
     * threads' 10 ms ticks drifting against each other without the pump finding the queue empty.
     */
    static final int TARGET_FRAMES = 2;
    /** About -60 dBFS for 16-bit samples: below it a frame is silence. */
    static final double SILENT_RMS = 33;

    private final ArrayDeque<short[]> frames = new ArrayDeque<>();
    private long dropped;
    private long trimmed;

    /** Adds a frame; returns how many frames are queued with it. */
    synchronized int add(short[] frame) {
        if (frames.size() >= MAX_FRAMES) {
            frames.poll();
            dropped++;
        }
        frames.add(frame);
        while (frames.size() > TARGET_FRAMES && Pcm.rms(frames.peek()) < SILENT_RMS) {
            frames.poll();
            trimmed++;
        }
        return frames.size();
    }

    /** The oldest frame, or null when none is queued. */
    synchronized short[] poll() {
        return frames.poll();
    }

    synchronized int size() {
        return frames.size();
    }

    /** Frames dropped because the queue overflowed. */
    synchronized long dropped() {
        return dropped;
    }

    /** Silent frames cut to keep the queue at {@link #TARGET_FRAMES}. */
    synchronized long trimmed() {
        return trimmed;
    }
}
