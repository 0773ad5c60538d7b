package io.lkworker.api.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lkworker.talk.Pitch;
import io.lkworker.talk.ToneGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pure-Java audio parts of the room API: the source's back-pressure, the stream's conversion and ending. */
class AudioPipelineTest {

    /** A remote track stand-in that delivers frames to its sinks when told to, as libwebrtc's playout would. */
    private static final class FakeTrack implements RemoteAudioTrack {
        final List<AudioSink> sinks = new CopyOnWriteArrayList<>();

        @Override
        public void addSink(AudioSink sink) {
            sinks.add(sink);
        }

        @Override
        public void removeSink(AudioSink sink) {
            sinks.remove(sink);
        }

        @Override
        public String sid() {
            return "TR_fake";
        }

        @Override
        public String name() {
            return "fake";
        }

        void deliver(AudioFrame f) {
            sinks.forEach(s -> s.onFrame(f));
        }

        void end() {
            sinks.forEach(AudioSink::onEnded);
        }
    }

    @Test
    void captureBlocksWhileTheQueueIsFullAndResumesAsItDrains() throws Exception {
        AudioSource source = new AudioSource(16000, 1, 20);   // two 10 ms frames
        source.markPublished();                               // back-pressure is for a published track
        ToneGenerator tone = new ToneGenerator(440, 16000, 1, 0.5);
        source.captureFrame(tone.next());
        source.captureFrame(tone.next());
        assertThat(source.queuedDuration()).isEqualTo(Duration.ofMillis(20));

        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
            try {
                source.captureFrame(tone.next());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(third).isNotDone();
        short[] ten = new short[160];
        assertThat(source.read(ten)).isEqualTo(160);
        third.get(5, TimeUnit.SECONDS);
        assertThat(source.queuedDuration()).isEqualTo(Duration.ofMillis(20));

        source.clearQueue();
        assertThat(source.read(ten)).isZero();
        assertThatThrownBy(() -> source.captureFrame(AudioFrame.silence(48000, 1, 480)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this source takes 16000 Hz");
        source.close();
        assertThatThrownBy(() -> source.captureFrame(tone.next())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStreamConverts48kHzStereoTo16kHzMonoKeepingTheToneAndEndsWithTheTrack() throws Exception {
        FakeTrack track = new FakeTrack();
        AudioStream stream = AudioStream.of(track, 16000, 1);
        ToneGenerator tone = new ToneGenerator(1000, 48000, 2, 0.5);
        for (int i = 0; i < 50; i++) {
            track.deliver(tone.next());
        }
        track.end();
        List<short[]> frames = new ArrayList<>();
        for (AudioFrame f : stream) {
            assertThat(f.sampleRate()).isEqualTo(16000);
            assertThat(f.channels()).isEqualTo(1);
            assertThat(f.samplesPerChannel()).isEqualTo(160);
            frames.add(f.data());
        }
        assertThat(frames).hasSizeBetween(49, 50);
        short[] all = new short[frames.size() * 160];
        for (int i = 0; i < frames.size(); i++) {
            System.arraycopy(frames.get(i), 0, all, i * 160, 160);
        }
        short[] steady = java.util.Arrays.copyOfRange(all, 1600, all.length);
        assertThat(Pitch.dominantFrequency(steady, 16000)).isBetween(995.0, 1005.0);
        assertThat(Pitch.rms(steady)).isBetween(0.5 * 32767 / Math.sqrt(2) * 0.95, 0.5 * 32767 / Math.sqrt(2) * 1.05);
        assertThat(track.sinks).isEmpty();
    }

    @Test
    void aToneAboveTheTargetNyquistIsFilteredOut() throws Exception {
        FakeTrack track = new FakeTrack();
        AudioStream stream = AudioStream.of(track, 8000, 1);
        ToneGenerator tone = new ToneGenerator(6000, 48000, 1, 0.5);   // above 4 kHz: must not alias
        for (int i = 0; i < 30; i++) {
            track.deliver(tone.next());
        }
        stream.close();
        List<Short> samples = new ArrayList<>();
        AudioFrame f;
        while ((f = stream.read()) != null) {
            for (short s : f.data()) {
                samples.add(s);
            }
        }
        short[] all = new short[samples.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = samples.get(i);
        }
        assertThat(Pitch.rms(java.util.Arrays.copyOfRange(all, 400, all.length))).isLessThan(200);
    }

    @Test
    void aSlowReaderLosesTheOldestFramesAndIsTold() throws Exception {
        FakeTrack track = new FakeTrack();
        AudioStream stream = AudioStream.of(track, 48000, 1, 5);
        ToneGenerator tone = new ToneGenerator(440, 48000, 1, 0.5);
        for (int i = 0; i < 8; i++) {
            track.deliver(tone.next());
        }
        assertThat(stream.droppedFrames()).isEqualTo(3);
        assertThat(stream.poll(Duration.ofMillis(10))).isNotNull();
    }

    @Test
    void aReaderFallingBehindIsLoggedOnceAndTheTotalWhenTheStreamEnds() throws Exception {
        // System.Logger goes to java.util.logging here (no other LoggerFinder on the class path).
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(AudioStream.class.getName());
        List<String> lines = new CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        try {
            FakeTrack track = new FakeTrack();
            AudioStream stream = AudioStream.of(track, 48000, 1, 5);
            ToneGenerator tone = new ToneGenerator(440, 48000, 1, 0.5);
            for (int i = 0; i < 20; i++) {
                track.deliver(tone.next());
            }
            assertThat(lines).singleElement().asString().startsWith("WARNING audio stream of track TR_fake (fake):"
                    + " the reader fell 5 frame(s) (50 ms) behind");
            stream.close();
            stream.close();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(1)).isEqualTo("WARNING audio stream of track TR_fake (fake) ended having dropped"
                    + " 15 frame(s) (150 ms of audio) because its reader fell behind");
        } finally {
            jul.removeHandler(handler);
        }
    }
}
