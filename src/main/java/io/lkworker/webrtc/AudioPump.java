package io.lkworker.webrtc;

import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that pushes 10 ms of PCM into every registered custom audio source, on absolute
 * 10 ms deadlines: libwebrtc's custom source sends what it is given at once, so real-time pacing is
 * ours to do. A producer with nothing queued gets silence pushed, which keeps the RTP timeline
 * continuous (with DTX, silence costs almost no bandwidth). One thread for the whole process, not
 * one per track: a push takes 0.1-0.2 ms, and a single pusher is what keeps libwebrtc's send path
 * single-threaded (see {@link MediaEngine}).
 *
 * <p>The pump never touches the audio device itself. It used to stop the device's recording at every
 * tick; that call could run while libwebrtc started the recording on its worker thread, and
 * webrtc-java 0.14.0's device then wedges both threads forever ({@link MediaEngine}, "Recording").
 * Recording now only ever starts inside {@link MediaEngine#reconfigure}, which stops it before it
 * lets the pump push again.
 */
public final class AudioPump {

    private static final Logger log = LoggerFactory.getLogger(AudioPump.class);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Further behind than this (a stalled machine), the pump skips ahead instead of bursting. */
    private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Supplies a source's audio, 10 ms at a time. Called on the pump thread: must not block. */
    public interface Producer {
        int sampleRate();

        int channels();

        /**
         * Fills {@code into} (exactly 10 ms: {@code sampleRate / 100 * channels} interleaved samples)
         * and returns how many samples it wrote; the rest is silence. A negative answer skips this tick:
         * nothing is sent, and the stream's timeline simply continues with the next push (a forwarder
         * whose input runs slightly slow uses it instead of inserting silence).
         */
        int read(short[] into);
    }

    /** A producer attached to a native source; {@link #close()} detaches it. */
    public final class Registration implements AutoCloseable {
        private final CustomAudioSource target;
        private final Producer producer;
        private final short[] samples;
        private final byte[] bytes;

        private Registration(CustomAudioSource target, Producer producer) {
            this.target = target;
            this.producer = producer;
            this.samples = new short[producer.sampleRate() / 100 * producer.channels()];
            this.bytes = new byte[samples.length * 2];
        }

        private void push() {
            int n;
            try {
                n = producer.read(samples);
            } catch (RuntimeException e) {
                log.warn("audio producer failed; sending silence: {}", e.toString());
                n = 0;
            }
            if (n < 0) {
                return;
            }
            for (int i = n; i < samples.length; i++) {
                samples[i] = 0;
            }
            Pcm.toLittleEndian(samples, bytes);
            target.pushAudio(bytes, 16, producer.sampleRate(), producer.channels(), producer.sampleRate() / 100);
        }

        /** Detaches the producer; after this returns the pump never touches {@code target} again. */
        @Override
        public void close() {
            ReentrantLock lock = engine.pushLock();
            lock.lock();
            try {
                registrations.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    private final MediaEngine engine;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private Thread thread;
    private volatile boolean stopped;

    AudioPump(MediaEngine engine) {
        this.engine = engine;
    }

    /** Starts feeding {@code target} from {@code producer} at the next tick. */
    public Registration add(CustomAudioSource target, Producer producer) {
        if (producer.sampleRate() % 100 != 0 || producer.channels() < 1) {
            throw new IllegalArgumentException("audio must have a sample rate divisible by 100 and at least one channel");
        }
        Registration r = new Registration(target, producer);
        registrations.add(r);
        startThread();
        return r;
    }

    private synchronized void startThread() {
        if (thread == null && !stopped) {
            thread = new Thread(this::run, "lk-audio-pump");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            thread.start();
        }
    }

    synchronized void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        long next = System.nanoTime();
        ReentrantLock lock = engine.pushLock();
        while (!stopped) {
            if (!registrations.isEmpty()) {
                lock.lock();
                try {
                    for (Registration r : registrations) {
                        r.push();
                    }
                } catch (RuntimeException e) {
                    log.warn("audio push failed: {}", e.toString());
                } finally {
                    lock.unlock();
                }
            }
            next += TICK_NANOS;
            long now = System.nanoTime();
            if (now - next > MAX_LAG_NANOS) {
                next = now;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (Thread.interrupted() && stopped) {
                return;
            }
        }
    }
}
