package io.lkworker.talk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lkworker.api.rtc.AudioFrame;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The talk report covers the whole session, not its last second. */
class EchoMeterTest {

    @TempDir
    Path dir;

    private static final long MS = 1_000_000L;

    @Test
    void aBeepOnJoiningFollowedBySilenceIsHeard() throws Exception {
        EchoMeter meter = new EchoMeter(0);
        ToneGenerator tone = new ToneGenerator(880, 48000, 1, 0.3);
        short[] silence = new short[480];
        long t = 0;
        // 300 ms of beep at 100 ms, then 3 s of silence: the last second holds nothing.
        for (int i = 0; i < 10; i++, t += 10) {
            meter.onFrame(new AudioFrame(silence, 48000, 1, 480), t * MS);
        }
        for (int i = 0; i < 30; i++, t += 10) {
            meter.onFrame(tone.next(), t * MS);
        }
        for (int i = 0; i < 300; i++, t += 10) {
            meter.onFrame(new AudioFrame(silence, 48000, 1, 480), t * MS);
        }

        List<EchoMeter.Heard> heard = meter.heard();
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).startMillis()).isEqualTo(100);
        assertThat(heard.get(0).durationMillis()).isEqualTo(300);
        assertThat(heard.get(0).hz()).isCloseTo(880, within(5.0));
        assertThat(heard.get(0).dbfs()).isCloseTo(EchoMeter.dbfs(0.3 * 32767 / Math.sqrt(2)), within(1.0));

        Path file = dir.resolve("heard.wav");
        meter.writeWav(file);
        WavFile back = WavFile.read(file);
        assertThat(back.sampleRate()).isEqualTo(48000);
        assertThat(back.frames()).hasSize(340);
    }

    @Test
    void twoBeepsASecondApartAreTwoStretches() {
        EchoMeter meter = new EchoMeter(0);
        ToneGenerator tone = new ToneGenerator(440, 48000, 1, 0.3);
        short[] silence = new short[480];
        long t = 0;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 20; i++, t += 10) {
                meter.onFrame(tone.next(), t * MS);
            }
            for (int i = 0; i < 100; i++, t += 10) {
                meter.onFrame(new AudioFrame(silence, 48000, 1, 480), t * MS);
            }
        }
        assertThat(meter.heard()).extracting(EchoMeter.Heard::startMillis).containsExactly(0L, 1200L);
    }
}
