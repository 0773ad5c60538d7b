package io.lkworker.console;

import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.config.ConfigDefaults;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The person at the terminal, as a participant in the console job's room on the console's embedded
 * server. Once an agent joins: each line read from {@code input} goes to the room as a data message
 * on topic {@value #TOPIC}, data the room sends is printed, the microphone track plays the given WAV
 * frames once and then silence, and the first audio track an agent publishes is written to the
 * recording. End of input calls {@code onEndOfInput} (the console ends the job).
 *
 * <p>Nothing happens before an agent joins, so an agent that never connects to its room sees (and
 * the terminal shows) the same as a console without a room: in particular standard input is not read.
 *
 * <p>Threads: the room's callbacks start one input thread, one microphone thread and one recording
 * thread, each at most once; {@link #close} stops them and finishes the recording.
 */
public final class ConsoleParticipant implements AutoCloseable {

    public static final String IDENTITY = "console-user";
    public static final String TOPIC = "chat";
    /** The microphone's rate and layout when no WAV file is played. */
    private static final int SILENCE_RATE = 48000;
    /** Recordings are mono 48 kHz: what WebRTC's Opus carries, mixed down to one channel. */
    static final int RECORD_RATE = 48000;
    private static final Duration TOKEN_TTL = Duration.ofHours(24);
    private static final long THREAD_WAIT_MILLIS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(ConsoleParticipant.class);

    private final RtcRoom room;
    private final PrintWriter out;
    private final InputStream input;
    private final List<AudioFrame> wav;
    private final String wavName;
    private final WavRecorder recording;
    private final Path recordingPath;
    private final Runnable onEndOfInput;
    private final AtomicBoolean agentSeen = new AtomicBoolean();
    private final AtomicBoolean recordingStarted = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread microphone;
    private volatile Thread recorder;
    private volatile AudioStream heard;

    private ConsoleParticipant(RtcRoom room, PrintWriter out, InputStream input, List<AudioFrame> wav, String wavName,
            WavRecorder recording, Path recordingPath, Runnable onEndOfInput) {
        this.room = room;
        this.out = out;
        this.input = input;
        this.wav = wav;
        this.wavName = wavName;
        this.recording = recording;
        this.recordingPath = recordingPath;
        this.onEndOfInput = onEndOfInput;
    }

    /**
     * Joins {@code roomName} on the server at {@code url} (which must accept the dev credentials).
     *
     * @param wav frames to play once as the microphone, or null for silence only
     * @param wavFile the file they came from (named in what is printed), or null
     * @param record where to write the agent's audio, or null
     * @throws io.lkworker.api.rtc.RoomException if the room cannot be joined
     * @throws IOException if {@code record} cannot be created
     */
    public static ConsoleParticipant join(String url, String roomName, List<AudioFrame> wav, Path wavFile,
            Path record, InputStream input, PrintWriter out, Runnable onEndOfInput) throws IOException {
        WavRecorder recording = record == null ? null : new WavRecorder(record, RECORD_RATE, 1);
        String token = AccessToken.participantToken(ConfigDefaults.DEV_API_KEY, ConfigDefaults.DEV_API_SECRET,
                roomName, IDENTITY, IDENTITY, System.currentTimeMillis(), TOKEN_TTL);
        RtcRoom room;
        try {
            room = RtcRoom.connect(url, token, ConnectOptions.defaults());
        } catch (RuntimeException e) {
            if (recording != null) {
                recording.close();
            }
            throw e;
        }
        ConsoleParticipant p = new ConsoleParticipant(room, out, input, wav,
                wavFile == null ? null : wavFile.toString(), recording, record, onEndOfInput);
        room.addListener(p.listener());
        // An agent that joined before the listener was added raised no event.
        room.remoteParticipants().values().forEach(p::seen);
        return p;
    }

    private RoomListener listener() {
        return new RoomListener() {
            @Override
            public void onParticipantConnected(RemoteParticipant participant) {
                seen(participant);
            }

            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication pub, RemoteParticipant from) {
                if (from.kind() == ParticipantKind.AGENT && track instanceof RemoteAudioTrack audio) {
                    record(audio, from);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                print("%s [%s]: %s", from == null ? "server" : from.identity(), topic,
                        new String(data, StandardCharsets.UTF_8));
            }
        };
    }

    private void seen(RemoteParticipant participant) {
        if (participant.kind() != ParticipantKind.AGENT || closed.get() || !agentSeen.compareAndSet(false, true)) {
            return;
        }
        print("%s joined room '%s' as the agent; you are %s. Type a line to send it on topic '%s'; end of input"
                + " (Ctrl-D) or Ctrl-C ends the job.", participant.identity(), room.name(), IDENTITY, TOPIC);
        microphone = start("lk-console-microphone", this::playMicrophone);
        start("lk-console-input", this::readInput);
    }

    private void readInput() {
        BufferedReader lines = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        try {
            for (String line = lines.readLine(); line != null && !closed.get(); line = lines.readLine()) {
                room.localParticipant().publishData(line.getBytes(StandardCharsets.UTF_8),
                        DataOptions.defaults().withTopic(TOPIC));
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                log.warn("cannot read or send the terminal's input: {}", e.toString());
            }
        }
        if (!closed.get()) {
            print("end of input: ending the job");
            onEndOfInput.run();
        }
    }

    /** The WAV once, then silence: an agent waiting for the person's microphone gets a track either way. */
    private void playMicrophone() {
        int rate = wav == null ? SILENCE_RATE : wav.get(0).sampleRate();
        int channels = wav == null ? 1 : wav.get(0).channels();
        try (AudioSource source = new AudioSource(rate, channels, 100)) {
            room.localParticipant().publishTrack(LocalAudioTrack.create("microphone", source));
            if (wav != null) {
                for (AudioFrame frame : wav) {
                    source.captureFrame(frame);
                }
                source.waitForPlayout(Duration.ofSeconds(1));
                print("played %s (%.1f s) as the microphone", wavName, wav.size() / 100.0);
            }
            AudioFrame silence = AudioFrame.silence(rate, channels, rate / 100);
            while (!closed.get()) {
                source.captureFrame(silence);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!closed.get()) {
                log.warn("the microphone track stopped: {}", e.toString());
            }
        }
    }

    private void record(RemoteAudioTrack track, RemoteParticipant from) {
        if (recording == null || closed.get() || !recordingStarted.compareAndSet(false, true)) {
            return;
        }
        AudioStream stream = AudioStream.of(track, RECORD_RATE, 1);
        heard = stream;
        print("recording %s's audio to %s", from.identity(), recordingPath);
        recorder = start("lk-console-recorder", () -> {
            try {
                for (AudioFrame frame = stream.read(); frame != null; frame = stream.read()) {
                    recording.write(frame);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                log.warn("cannot write {}: {}", recordingPath, e.toString());
            }
        });
    }

    /** Leaves the room and finishes the recording; its file is a complete WAV file afterwards. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread mic = microphone;
        if (mic != null) {
            mic.interrupt();
        }
        AudioStream stream = heard;
        if (stream != null) {
            stream.close();
        }
        room.disconnect();
        try {
            for (Thread t : new Thread[] {mic, recorder}) {
                if (t != null) {
                    t.join(THREAD_WAIT_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (recording != null) {
                recording.close();
                print("recorded %.1f s of the agent's audio to %s",
                        recording.dataBytes() / 2.0 / RECORD_RATE, recordingPath);
            }
        }
    }

    private void print(String format, Object... args) {
        out.println(String.format(java.util.Locale.ROOT, format, args));
        out.flush();
    }

    private static Thread start(String name, Runnable body) {
        // Daemon threads: a blocked read of standard input must not keep the JVM alive after the job.
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
