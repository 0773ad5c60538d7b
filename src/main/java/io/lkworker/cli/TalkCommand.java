package io.lkworker.cli;

import io.lkworker.api.rtc.AgentState;
import io.lkworker.api.rtc.AgentTranscriptions;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.ChatInput;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.Participant;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.config.ConfigException;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.talk.EchoMeter;
import io.lkworker.talk.ToneGenerator;
import io.lkworker.talk.WavFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lk-worker talk}: a participant for trying an agent. Joins a room, waits for an agent,
 * plays a tone (or a WAV file) into the room on its microphone track, listens to what the agent
 * sends back, optionally says something on the data topic {@code chat}, and reports what it heard
 * over the whole session (each stretch of sound: when, how long, how loud, dominant frequency), and
 * whether the agent left. {@code --record} saves what was heard.
 */
@Command(name = "talk", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        versionProvider = VersionProvider.class,
        description = "Join a room as a participant, play a tone or a WAV file to the agent and report what comes back.",
        footer = {"",
            "With lk-worker dev running, `lk-worker talk` joins room 'talk' on the embedded server, which dispatches",
            "the agent to the new room. Credentials as for dispatch (devkey/secret on loopback by default).",
            "Exit codes: 0 audio came back from an agent at any time, 1 no agent came or nothing was heard,",
            "2 bad usage."})
final class TalkCommand extends OperatorCommand {

    /** At most this many stretches of sound are listed one by one; the rest are counted. */
    private static final int MAX_LISTED = 10;

    @Option(names = "--room", paramLabel = "ROOM", order = 10, defaultValue = "talk",
            description = "The room to join (created if needed). Default: ${DEFAULT-VALUE}.")
    String room;

    @Option(names = "--identity", paramLabel = "ID", order = 11, defaultValue = "talker",
            description = "This participant's identity. Default: ${DEFAULT-VALUE}.")
    String identity;

    @Option(names = "--tone", paramLabel = "HZ", order = 12, defaultValue = "440",
            description = "Play a sine tone of this frequency. Default: ${DEFAULT-VALUE} Hz.")
    double toneHz;

    @Option(names = "--wav", paramLabel = "FILE", order = 13,
            description = "Play this WAV file (PCM, mono or stereo, any sample rate) instead of a tone, looping.")
    Path wav;

    @Option(names = "--seconds", paramLabel = "N", order = 14, defaultValue = "5",
            description = "How long to play. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--say", paramLabel = "TEXT", order = 15,
            description = "Also send TEXT on the data topic 'chat' and print the answers.")
    String say;

    @Option(names = "--chat", paramLabel = "TEXT", order = 15,
            description = "Also send TEXT as a chat message (a text stream on 'lk.chat', as LiveKit's front ends do)."
                    + " The agent's transcriptions (topic 'lk.transcription') and states (attribute 'lk.agent.state')"
                    + " are printed in any case.")
    String chatText;

    @Option(names = "--rpc", paramLabel = "METHOD", order = 15,
            description = "Also call the agent's RPC method METHOD (empty payload) and print its answer or error.")
    String rpcMethod;

    @Option(names = "--wait", paramLabel = "N", order = 16, defaultValue = "20",
            description = "Seconds to wait for an agent to join. Default: ${DEFAULT-VALUE}.")
    int waitSeconds;

    @Option(names = "--record", paramLabel = "FILE.wav", order = 17,
            description = "Save what was heard from the agent to this WAV file (mono, 16-bit).")
    Path record;

    @Option(names = "--url", paramLabel = "URL", order = 18,
            description = "LiveKit server URL. Env LIVEKIT_URL. Default: " + DispatchCommand.DEFAULT_URL + ".")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", order = 19,
            description = "LiveKit API key. Env LIVEKIT_API_KEY. Default for a loopback URL: devkey.")
    String apiKey;

    @Option(names = "--api-secret", paramLabel = "SECRET", order = 20,
            description = "LiveKit API secret; prefer env LIVEKIT_API_SECRET. Default for a loopback URL: secret.")
    String apiSecret;

    TalkCommand(CliContext context) {
        super(context);
    }

    @Override
    int run() throws Exception {
        if (room.isBlank() || identity.isBlank()) {
            throw new ConfigException((room.isBlank() ? "--room" : "--identity") + ": must not be empty");
        }
        if (seconds < 1 || waitSeconds < 1) {
            throw new ConfigException((seconds < 1 ? "--seconds" : "--wait") + ": must be at least 1");
        }
        if (record != null) {
            Path parent = record.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new ConfigException("--record: no directory " + parent + " to write " + record.getFileName());
            }
            if (Files.isDirectory(record)) {
                throw new ConfigException("--record: " + record + " is a directory");
            }
        }
        List<AudioFrame> sound = sound();
        // This command prints what it observed; the room client's own log lines would only be noise here.
        LoggingSetup.apply(io.lkworker.config.WorkerConfig.LogFormat.TEXT, "WARN");
        String serverUrl = ServerCredentials.blankToNull(url) != null ? url.strip() : DispatchCommand.DEFAULT_URL;
        URI server = DispatchCommand.httpUrl(serverUrl);
        ServerCredentials credentials = ServerCredentials.resolve(server, apiKey, apiSecret);
        String token = AccessToken.participantToken(credentials.apiKey(), credentials.apiSecret(), room, identity,
                identity, System.currentTimeMillis(), Duration.ofHours(1));

        RtcRoom joined;
        try {
            joined = RtcRoom.connect(serverUrl, token, ConnectOptions.defaults());
        } catch (RoomException e) {
            throw new CommandFailure("cannot join room '" + room + "': " + e.getMessage());
        }
        try {
            return talk(joined, sound);
        } finally {
            joined.disconnect();
        }
    }

    private int talk(RtcRoom joined, List<AudioFrame> sound) throws Exception {
        say("joined room '%s' as %s", joined.name(), identity);
        CompletableFuture<RemoteParticipant> agent = new CompletableFuture<>();
        // An agent that joins and fails at once may be gone before it is seen as joined: its leaving
        // then answers the wait too, and is reported as such rather than as "no agent joined".
        CompletableFuture<RemoteParticipant> agentLeft = new CompletableFuture<>();
        long[] leftAtNanos = new long[1];
        CompletableFuture<RemoteAudioTrack> answer = new CompletableFuture<>();
        List<String> chat = new CopyOnWriteArrayList<>();
        // what LiveKit's front ends show of an agent: its state and the transcriptions it publishes
        List<String> states = new CopyOnWriteArrayList<>();
        List<String> transcriptions = new CopyOnWriteArrayList<>();
        // an answer to --chat: a final transcription, and the agent listening again after speaking
        CompletableFuture<Void> finalTranscription = new CompletableFuture<>();
        CompletableFuture<Void> spoke = new CompletableFuture<>();
        boolean[] speaking = new boolean[1];
        joined.registerTextStreamHandler(AgentTranscriptions.TOPIC, (reader, from) -> {
            String text = reader.readAll(1 << 20);
            boolean isFinal = "true".equals(reader.info().attributes().get(AgentTranscriptions.ATTRIBUTE_FINAL));
            transcriptions.add(from + ": " + text + (isFinal ? " (final)" : ""));
            if (isFinal) {
                finalTranscription.complete(null);
            }
        });
        joined.addListener(new RoomListener() {
            @Override
            public void onParticipantAttributesChanged(Map<String, String> changed, Participant p) {
                String state = changed.get(AgentState.ATTRIBUTE);
                if (p.kind() == ParticipantKind.AGENT && state != null && !state.isEmpty()) {
                    states.add(state);
                    speaking[0] |= state.equals(AgentState.SPEAKING.value()); // the event thread only
                    if (speaking[0] && state.equals(AgentState.LISTENING.value())) {
                        spoke.complete(null);
                    }
                }
            }

            @Override
            public void onParticipantConnected(RemoteParticipant p) {
                if (p.kind() == ParticipantKind.AGENT) {
                    agent.complete(p);
                }
            }

            @Override
            public void onParticipantDisconnected(RemoteParticipant p) {
                if (p.kind() == ParticipantKind.AGENT && (!agent.isDone()
                        || agent.getNow(null).identity().equals(p.identity()))) {
                    synchronized (leftAtNanos) {
                        leftAtNanos[0] = System.nanoTime();
                    }
                    agentLeft.complete(p);
                    agent.complete(p);
                }
            }

            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication pub, RemoteParticipant from) {
                if (from.kind() == ParticipantKind.AGENT && track instanceof RemoteAudioTrack audio) {
                    answer.complete(audio);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                chat.add((from == null ? "server" : from.identity()) + " [" + topic + "]: "
                        + new String(data, StandardCharsets.UTF_8));
            }
        });
        joined.remoteParticipants().values().stream().filter(p -> p.kind() == ParticipantKind.AGENT).findFirst()
                .ifPresent(agent::complete);
        RemoteParticipant found;
        try {
            found = agent.get(waitSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            say("no agent joined room '%s' within %d s (is a worker registered without an agent name, or was"
                    + " the agent dispatched with lk-worker dispatch?)", joined.name(), waitSeconds);
            return ExitCodes.FAILURE;
        }
        long joinedAt = System.nanoTime();
        if (agentLeft.isDone()) {
            say("agent %s joined room '%s' and left again at once (did it fail on start? see the worker's log)",
                    found.identity(), joined.name());
            return ExitCodes.FAILURE;
        }
        say("agent %s is in the room", found.identity());
        String stateAtJoin = found.attributes().get(AgentState.ATTRIBUTE);
        if (stateAtJoin != null && !stateAtJoin.isEmpty() && states.isEmpty()) {
            states.add(0, stateAtJoin);
        }

        AudioFrame first = sound.get(0);
        AudioSource microphone = new AudioSource(first.sampleRate(), first.channels(), 100);
        joined.localParticipant().publishTrack(LocalAudioTrack.create("microphone", microphone));
        long started = System.nanoTime();
        EchoMeter meter = new EchoMeter(started);
        answer.thenAccept(track -> track.addSink(meter));
        long end = started + TimeUnit.SECONDS.toNanos(seconds);
        say("playing %s for %d s", wav != null ? wav.getFileName() : String.format(Locale.ROOT, "a %.0f Hz tone", toneHz),
                seconds);
        if (say != null) {
            // The agent is in the room before its own connections are up: a message sent then may find no
            // open data channel on its side and be lost. Its published track says it is fully there.
            try {
                answer.get(waitSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                say("the agent published no audio within %d s; sending the text anyway", waitSeconds);
            }
            joined.localParticipant().publishData(say.getBytes(StandardCharsets.UTF_8),
                    DataOptions.defaults().withTopic("chat"));
        }
        if (chatText != null || rpcMethod != null) {
            // as for --say: the agent's published track says its connections are up
            try {
                answer.get(waitSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                say("the agent published no audio within %d s; going on anyway", waitSeconds);
            }
        }
        if (rpcMethod != null) {
            try {
                say("rpc %s: %s", rpcMethod, joined.localParticipant().performRpc(found.identity(), rpcMethod, ""));
            } catch (RpcError e) {
                say("rpc %s failed: %d %s", rpcMethod, e.code(), e.message());
            }
        }
        if (chatText != null) {
            joined.localParticipant().sendText(chatText, StreamTextOptions.topic(ChatInput.TOPIC));
        }
        // Nobody listens once the agent has left: stop playing then.
        for (int i = 0; System.nanoTime() < end && !agentLeft.isDone(); i++) {
            microphone.captureFrame(sound.get(i % sound.size()));
        }
        microphone.waitForPlayout(Duration.ofSeconds(1));
        if (chatText != null && !agentLeft.isDone()) {
            try {
                finalTranscription.get(waitSeconds, TimeUnit.SECONDS);
                if (!states.isEmpty()) {
                    spoke.get(waitSeconds, TimeUnit.SECONDS);
                }
            } catch (TimeoutException e) {
                say("no final transcription of an answer to the chat message (and the agent listening again) within %d s",
                        waitSeconds);
            }
        }
        chat.forEach(line -> say("data from %s", line));
        transcriptions.forEach(line -> say("transcription from %s", line));
        if (!states.isEmpty()) {
            say("agent state: %s", String.join(" -> ", states));
        }
        if (agentLeft.isDone()) {
            long leftAt;
            synchronized (leftAtNanos) {
                leftAt = leftAtNanos[0];
            }
            say("agent %s left the room %d ms after it joined (%d ms after our sound started)", found.identity(),
                    TimeUnit.NANOSECONDS.toMillis(leftAt - joinedAt), TimeUnit.NANOSECONDS.toMillis(leftAt - started));
        }
        if (record != null) {
            meter.writeWav(record);
            say("recorded what was heard to %s", record);
        }

        List<EchoMeter.Heard> heard = meter.heard();
        if (heard.isEmpty()) {
            say("heard nothing back from %s in %d s", found.identity(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) / 1000);
            return ExitCodes.FAILURE;
        }
        say("heard %s: %d stretch%s of sound; first sound %d ms after ours started", found.identity(),
                heard.size(), heard.size() == 1 ? "" : "es", heard.get(0).startMillis());
        for (EchoMeter.Heard h : heard.subList(0, Math.min(MAX_LISTED, heard.size()))) {
            say("  at %.2f s for %.2f s: %.1f Hz at %.1f dBFS", h.startMillis() / 1000.0, h.durationMillis() / 1000.0,
                    h.hz(), h.dbfs());
        }
        if (heard.size() > MAX_LISTED) {
            say("  ... and %d more", heard.size() - MAX_LISTED);
        }
        return ExitCodes.OK;
    }

    private List<AudioFrame> sound() throws ConfigException, java.io.IOException {
        if (wav != null) {
            if (!Files.isReadable(wav)) {
                throw new ConfigException("--wav: cannot read " + wav);
            }
            try {
                return WavFile.read(wav).frames();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--wav: " + e.getMessage());
            }
        }
        ToneGenerator tone;
        try {
            tone = new ToneGenerator(toneHz, 48000, 1, 0.3);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--tone: " + e.getMessage());
        }
        // One second, played in a loop: continuous in phase for whole-Hz tones.
        List<AudioFrame> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(tone.next());
        }
        return frames;
    }

    private void say(String format, Object... args) {
        out().println(String.format(Locale.ROOT, format, args));
        out().flush();
    }
}
