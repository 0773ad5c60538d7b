package io.lkworker.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.talk.Pitch;
import io.lkworker.talk.ToneGenerator;
import io.lkworker.testing.TestJars;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: console with an agent that joins its room, and no LiveKit server anywhere: the console's own
 * embedded server hosts the room, the terminal's lines reach the echo agent as chat and its answers are
 * printed, a WAV file is the terminal's microphone and the agent's echo of it is recorded to a WAV file.
 */
@Tag("rtc")
class ConsoleRoomTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void chatInWavInWavOutWithNoServerAnywhere() throws Exception {
        Path example = Path.of("examples", "echo-agent", "src", "main", "java", "example", "EchoAgent.java");
        Path jar = TestJars.builder().source("example.EchoAgent", Files.readString(example))
                .agentService("example.EchoAgent").build(dir.resolve("echo.jar"));
        Path tone = writeTone(dir.resolve("tone.wav"), 660, 3);
        Path recorded = dir.resolve("agent.wav");
        Path log = dir.resolve("console.log");

        ProcessBuilder builder = new ProcessBuilder(DrainCommandTest.javaBin(), "-cp", TestJars.currentClassPath(),
                "io.lkworker.cli.Main", "console", "--agent", jar.toString(), "--job-executor", "thread",
                "--log-level", "WARN", "--wav", tone.toString(), "--record", recorded.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // A server the environment names must not be used: nothing listens on port 1.
        builder.environment().put("LIVEKIT_URL", "ws://127.0.0.1:1");
        Process console = builder.start();
        try {
            await().atMost(WAIT).until(() -> Files.readString(log).contains("joined room 'console' as the agent")
                    || !console.isAlive());
            // Its track subscribed says the agent's connections are up, so a data message is not lost.
            await().atMost(WAIT).until(() -> Files.readString(log).contains("recording agent-") || !console.isAlive());
            assertThat(console.isAlive()).as(Files.readString(log)).isTrue();

            OutputStream stdin = console.getOutputStream();
            stdin.write("hi there\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            await().atMost(WAIT).until(() -> Files.readString(log).contains("[chat]: echo: hi there")
                    || !console.isAlive());
            await().atMost(WAIT).until(() -> Files.readString(log).contains("played " + tone) || !console.isAlive());
            stdin.close();

            assertThat(console.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            String output = Files.readString(log);
            assertThat(console.exitValue()).as(output).isZero();
            assertThat(output).containsPattern("agent-AJ_console[0-9a-f]{12} \\[chat\\]: echo: hi there")
                    .contains("end of input: ending the job")
                    .containsPattern("job AJ_console[0-9a-f]{12} succeeded")
                    .doesNotContain("127.0.0.1:1/");
        } finally {
            console.destroyForcibly();
        }

        try (AudioInputStream in = AudioSystem.getAudioInputStream(recorded.toFile())) {
            AudioFormat f = in.getFormat();
            assertThat(f.getSampleRate()).isEqualTo(48000f);
            assertThat(f.getChannels()).isEqualTo(1);
            assertThat(f.getSampleSizeInBits()).isEqualTo(16);
            byte[] bytes = in.readAllBytes();
            short[] samples = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(f.isBigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                    .asShortBuffer().get(samples);
            // The loudest half second is the echo of the tone (the rest may be the agent's silence).
            short[] loudest = loudestHalfSecond(samples);
            assertThat(Pitch.rms(loudest)).as("level of the recorded echo").isGreaterThan(330);
            assertThat(Pitch.dominantFrequency(loudest, 48000)).isBetween(640.0, 680.0);
        }
    }

    @Test
    void badWavOrRecordIsAUsageErrorNamingTheOption() throws Exception {
        Path notWav = Files.writeString(dir.resolve("x.wav"), "not audio");
        CliRun.Result badWav = new CliRun().run("console", "--agent", "a.jar", "--wav", notWav.toString());
        assertThat(badWav.exitCode()).isEqualTo(2);
        assertThat(badWav.err()).startsWith("error: --wav:").contains("not a WAV file");

        CliRun.Result missing = new CliRun().run("console", "--agent", "a.jar", "--wav", dir.resolve("no.wav").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: --wav: cannot read").contains("no.wav");

        CliRun.Result badRecord = new CliRun().run("console", "--agent", "a.jar", "--record",
                dir.resolve("no-such-dir").resolve("out.wav").toString());
        assertThat(badRecord.exitCode()).isEqualTo(2);
        assertThat(badRecord.err()).startsWith("error: --record: cannot write");
    }

    private static short[] loudestHalfSecond(short[] samples) {
        int window = 24000;
        short[] best = new short[0];
        double bestRms = -1;
        for (int start = 0; start + window <= samples.length; start += 4800) {
            short[] w = java.util.Arrays.copyOfRange(samples, start, start + window);
            double rms = Pitch.rms(w);
            if (rms > bestRms) {
                bestRms = rms;
                best = w;
            }
        }
        return best;
    }

    private static Path writeTone(Path file, double hz, int seconds) throws Exception {
        ToneGenerator tone = new ToneGenerator(hz, 48000, 1, 0.3);
        ByteBuffer bytes = ByteBuffer.allocate(seconds * 48000 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < seconds * 100; i++) {
            AudioFrame frame = tone.next();
            for (short s : frame.data()) {
                bytes.putShort(s);
            }
        }
        AudioFormat format = new AudioFormat(48000, 16, 1, true, false);
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(bytes.array()), format, seconds * 48000L),
                AudioFileFormat.Type.WAVE, file.toFile());
        return file;
    }
}
