package io.lkworker.localserver.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ForwardQueueTest {

    private static short[] frame(int level) {
        short[] f = new short[480];
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) (i % 2 == 0 ? level : -level);
        }
        return f;
    }

    @Test
    void silenceStandingInTheQueueIsCutDownToTheTarget() {
        ForwardQueue q = new ForwardQueue();
        for (int i = 0; i < 5; i++) {
            q.add(frame(0));
        }
        short[] speech = frame(8000);
        int queued = q.add(speech);

        assertThat(queued).isEqualTo(ForwardQueue.TARGET_FRAMES);
        assertThat(q.trimmed()).isEqualTo(4);
        assertThat(q.dropped()).isZero();
        q.poll();
        assertThat(q.poll()).isSameAs(speech);
        assertThat(q.poll()).isNull();
    }

    @Test
    void soundIsNeverCutBelowTheMaximum() {
        ForwardQueue q = new ForwardQueue();
        short[][] added = new short[ForwardQueue.MAX_FRAMES][];
        for (int i = 0; i < added.length; i++) {
            added[i] = frame(1000 + i);
            q.add(added[i]);
        }

        assertThat(q.size()).isEqualTo(ForwardQueue.MAX_FRAMES);
        assertThat(q.trimmed()).isZero();
        for (short[] f : added) {
            assertThat(q.poll()).isSameAs(f);
        }
    }

    @Test
    void silenceBehindSoundWaitsUntilTheSoundIsTaken() {
        ForwardQueue q = new ForwardQueue();
        short[] sound = frame(5000);
        q.add(sound);
        q.add(frame(0));
        q.add(frame(0));

        // The oldest frame is sound: nothing is cut while it heads the queue.
        assertThat(q.size()).isEqualTo(3);
        assertThat(q.poll()).isSameAs(sound);
        q.add(frame(0));
        assertThat(q.size()).isEqualTo(ForwardQueue.TARGET_FRAMES);
        assertThat(q.trimmed()).isEqualTo(1);
    }

    @Test
    void aStalledPumpLosesTheOldestFramesBeyondTheMaximum() {
        ForwardQueue q = new ForwardQueue();
        short[] first = frame(3000);
        q.add(first);
        for (int i = 0; i < ForwardQueue.MAX_FRAMES; i++) {
            q.add(frame(2000));
        }

        assertThat(q.size()).isEqualTo(ForwardQueue.MAX_FRAMES);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.poll()).isNotSameAs(first);
    }

    @Test
    void quietFramesAboveTheSilenceThresholdAreKept() {
        short[] quiet = frame((int) ForwardQueue.SILENT_RMS + 10);
        assertThat(io.lkworker.webrtc.Pcm.rms(quiet)).isGreaterThan(ForwardQueue.SILENT_RMS);
        ForwardQueue q = new ForwardQueue();
        for (int i = 0; i < 4; i++) {
            q.add(Arrays.copyOf(quiet, quiet.length));
        }
        assertThat(q.size()).isEqualTo(4);
        assertThat(q.trimmed()).isZero();
    }
}
