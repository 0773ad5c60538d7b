package io.lkworker.interop;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalTrackPublication;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.talk.Pitch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other side of the browser interop test, on our own room client: joins the room, publishes a
 * track {@code echo} (48 kHz mono) that repeats whatever it hears from {@code listenTo}, keeps the last
 * second it heard for pitch checks, and answers every data message on topic {@code chat} that is not
 * itself an echo with {@code echo: <text>}. A stand-in until the real echo agent runs in a child JVM.
 */
final class JavaEchoPeer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JavaEchoPeer.class);
    static final String TOPIC = "chat";
    private static final int RATE = 48000;

    /** A message received: sender identity (null from the server), topic, text. */
    record Received(String from, String topic, String text) {
    }

    private final RtcRoom room;
    private final String listenTo;
    private final AudioSource source = new AudioSource(RATE, 1);
    private final LocalTrackPublication publication;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ExecutorService replies = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "echo-peer-replies");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Thread> echo = new AtomicReference<>();
    /** The last second heard, as a ring. */
    private final short[] heard = new short[RATE];
    private int heardPos;
    private long heardTotal;

    private JavaEchoPeer(RtcRoom room, String listenTo) {
        this.room = room;
        this.listenTo = listenTo;
        room.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication pub, RemoteParticipant p) {
                if (p.identity().equals(listenTo) && track instanceof RemoteAudioTrack audio) {
                    log.info("echo peer: subscribed to {} of {}", pub.sid(), p.identity());
                    startEcho(audio);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                String text = new String(data, StandardCharsets.UTF_8);
                received.add(new Received(from == null ? null : from.identity(), topic, text));
                if (TOPIC.equals(topic) && !text.startsWith("echo: ")) {
                    replies.execute(() -> send("echo: " + text));
                }
            }
        });
        this.publication = room.localParticipant().publishTrack(LocalAudioTrack.create("echo", source));
    }

    /** Joins {@code serverUrl} with {@code token} and starts echoing {@code listenTo}. */
    static JavaEchoPeer join(String serverUrl, String token, String listenTo) {
        RtcRoom room = RtcRoom.connect(serverUrl, token, ConnectOptions.defaults());
        try {
            return new JavaEchoPeer(room, listenTo);
        } catch (RuntimeException e) {
            room.disconnect();
            throw e;
        }
    }

    private void startEcho(RemoteAudioTrack track) {
        Thread t = new Thread(() -> {
            try (AudioStream stream = AudioStream.of(track, RATE, 1)) {
                while (!Thread.currentThread().isInterrupted()) {
                    AudioFrame f = stream.poll(Duration.ofSeconds(1));
                    if (f == null) {
                        if (stream.isEnded()) {
                            return;
                        }
                        continue;
                    }
                    remember(f.data());
                    source.captureFrame(f);
                }
            } catch (InterruptedException | IllegalStateException e) {
                // closed
            }
        }, "echo-peer-audio");
        t.setDaemon(true);
        if (echo.compareAndSet(null, t)) {
            t.start();
        }
    }

    private synchronized void remember(short[] samples) {
        for (short s : samples) {
            heard[heardPos] = s;
            heardPos = (heardPos + 1) % heard.length;
        }
        heardTotal += samples.length;
    }

    /** The last {@code ms} heard from {@code listenTo} (fewer samples if less was heard yet), 48 kHz. */
    synchronized short[] lastHeard(int ms) {
        int n = (int) Math.min(heardTotal, Math.min(heard.length, (long) RATE * ms / 1000));
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            out[i] = heard[Math.floorMod(heardPos - n + i, heard.length)];
        }
        return out;
    }

    /** RMS of the last 200 ms heard (0 until something arrived). */
    double recentLevel() {
        return Pitch.rms(lastHeard(200));
    }

    /** True when every 100 ms of the last 500 ms heard is above {@code rms}: a window of sound only, no onset in it. */
    boolean steadilyAbove(double rms) {
        short[] window = lastHeard(500);
        if (window.length < RATE / 2) {
            return false;
        }
        for (int i = 0; i < 5; i++) {
            if (Pitch.rms(java.util.Arrays.copyOfRange(window, i * RATE / 10, (i + 1) * RATE / 10)) <= rms) {
                return false;
            }
        }
        return true;
    }

    /** Dominant frequency of the last 500 ms heard. */
    double heardFrequency() {
        return Pitch.dominantFrequency(lastHeard(500), RATE);
    }

    static int sampleRate() {
        return RATE;
    }

    /** Sends {@code text} on topic {@code chat} to everyone else. */
    void send(String text) {
        try {
            room.localParticipant().publishData(text.getBytes(StandardCharsets.UTF_8), DataOptions.defaults().withTopic(TOPIC));
        } catch (RuntimeException e) {
            log.warn("echo peer: could not send '{}': {}", text, e.toString());
        }
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    RtcRoom room() {
        return room;
    }

    LocalTrackPublication publication() {
        return publication;
    }

    String listensTo() {
        return listenTo;
    }

    @Override
    public void close() {
        Thread t = echo.get();
        if (t != null) {
            t.interrupt();
        }
        replies.shutdownNow();
        room.disconnect();
        source.close();
    }
}
