package io.lkworker.api.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lkworker.talk.ToneGenerator;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AudioSource} never leaves a capture (or a playout wait) waiting for a queue that nothing
 * drains: before its track is published, after it was unpublished, after the room is gone.
 */
class AudioSourcePublicationTest {

    /**
     * How long a call that must not block may take in these tests: far above the microseconds it
     * takes, so a loaded build machine does not fail them, and far below "for ever", which is what
     * it was.
     */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    /** Two 10 ms frames of 16 kHz mono. */
    private static final int QUEUE_MS = 20;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "capturer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Thread> worker = new AtomicReference<>();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow(); // interrupts anything a failing test left blocked
    }

    private <T> Future<T> inThread(Callable<T> call) {
        worker.set(null); // not the previous call's thread, which may be parked idle in the pool
        return threads.submit(() -> {
            worker.set(Thread.currentThread());
            return call.call();
        });
    }

    /** Waits until the call in {@link #inThread} is parked (blocked in the source), so the test acts on a waiter. */
    private void awaitBlocked() {
        await().atMost(PROMPTLY).until(() -> {
            Thread t = worker.get();
            return t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
        });
    }

    private static Throwable failureOf(Future<?> f) throws Exception {
        try {
            f.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    @Test
    void aSourceNotPublishedYetQueuesWhileThereIsRoomThenThrowsAtOnceInsteadOfBlocking() throws Exception {
        AudioSource source = new AudioSource(16000, 1, QUEUE_MS);
        ToneGenerator tone = new ToneGenerator(440, 16000, 1, 0.5);
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        assertThat(source.queuedDuration()).isEqualTo(Duration.ofMillis(20));

        Future<Object> third = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        assertThat(failureOf(third)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue (20 ms) is full")
                .hasMessageContaining("not published")
                .hasMessageContaining("publish the track first");
        assertThat(source.queuedDuration()).as("the audio queued before publishing is kept")
                .isEqualTo(Duration.ofMillis(20));

        // a frame larger than the whole queue is refused whole, not queued in part
        AudioSource empty = new AudioSource(16000, 1, QUEUE_MS);
        assertThatThrownBy(() -> empty.captureFrame(AudioFrame.silence(16000, 1, 480)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not published yet");
        assertThat(empty.queuedDuration()).isZero();

        // once published, the queued audio is sent first and captures are paced again
        source.markPublished();
        Future<Object> paced = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        awaitBlocked();
        assertThat(paced).isNotDone();
        assertThat(source.read(new short[160])).isEqualTo(160);
        paced.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(source.queuedDuration()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void unpublishingWakesABlockedCaptureWhichThrowsWithTheReasonAndLaterCapturesFailAtOnce() throws Exception {
        AudioSource source = new AudioSource(16000, 1, QUEUE_MS);
        ToneGenerator tone = new ToneGenerator(440, 16000, 1, 0.5);
        source.markPublished();
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        Future<Object> blocked = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        awaitBlocked();

        source.markUnpublished("room disconnected (SIGNAL_CLOSE)");

        assertThat(failureOf(blocked)).isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("room disconnected (SIGNAL_CLOSE)");
        assertThat(source.queuedDuration()).as("queued audio is dropped: nothing will send it").isZero();
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        Future<Object> later = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        assertThat(failureOf(later)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is full").hasMessageEndingWith("room disconnected (SIGNAL_CLOSE)");
    }

    @Test
    void aCaptureBlockedWhenTheTrackWasUnpublishedFailsEvenIfItIsPublishedAgainBeforeItWakes() throws Exception {
        AudioSource source = new AudioSource(16000, 1, QUEUE_MS);
        ToneGenerator tone = new ToneGenerator(440, 16000, 1, 0.5);
        source.markPublished();
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        Future<Object> blocked = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        awaitBlocked();
        source.markUnpublished("track unpublished");
        source.markPublished();
        assertThat(failureOf(blocked)).isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("track unpublished");

        // published again: back-pressure as before
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        Future<Object> paced = inThread(() -> {
            source.captureFrame(tone.next());
            return null;
        });
        awaitBlocked();
        assertThat(paced).isNotDone();
        assertThat(source.read(new short[160])).isEqualTo(160);
        paced.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void waitForPlayoutReturnsAtOnceWhileNotPublishedAndWhenTheTrackStopsBeingPublished() throws Exception {
        AudioSource source = new AudioSource(16000, 1, QUEUE_MS);
        ToneGenerator tone = new ToneGenerator(440, 16000, 1, 0.5);
        source.captureFrame(tone.next());

        Future<Boolean> timed = inThread(() -> source.waitForPlayout(Duration.ofDays(1)));
        assertThat(timed.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).as("audio queued, nothing sends it").isFalse();
        Future<Object> untimed = inThread(() -> {
            source.waitForPlayout();
            return null;
        });
        untimed.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(source.queuedDuration()).isEqualTo(Duration.ofMillis(10));

        source.markPublished();
        Future<Boolean> waiting = inThread(() -> source.waitForPlayout(Duration.ofDays(1)));
        awaitBlocked();
        source.markUnpublished("track unpublished");
        assertThat(waiting.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS)).as("dropped, not played out").isFalse();

        source.markPublished();
        source.captureFrame(tone.next());
        Future<Object> waitingUntimed = inThread(() -> {
            source.waitForPlayout();
            return null;
        });
        awaitBlocked();
        source.markUnpublished("room disconnected (ROOM_DELETED)");
        waitingUntimed.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);

        // nothing queued: played out, published or not
        assertThat(source.waitForPlayout(Duration.ZERO)).isTrue();
    }

    @Test
    void readNeverBlocksAndCloseKeepsFailingCaptures() throws Exception {
        AudioSource source = new AudioSource(16000, 1, QUEUE_MS);
        assertThat(source.read(new short[160])).isZero();
        source.close();
        assertThatThrownBy(() -> source.captureFrame(AudioFrame.silence(16000, 1, 160)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(source.waitForPlayout(Duration.ZERO)).isTrue();
    }
}
