package example;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.rtc.AgentState;
import io.lkworker.api.rtc.AgentTranscriptions;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ByteStreamReader;
import io.lkworker.api.rtc.ChatInput;
import io.lkworker.api.rtc.ChatMessage;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.LocalParticipant;
import io.lkworker.api.rtc.ParticipantKind;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RemoteVideoTrack;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.RpcError;
import io.lkworker.api.rtc.RpcInvocationData;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublication;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tour of what a LiveKit front end (LiveKit's Agents Playground, the React components, the mobile SDKs)
 * can do with a Java agent, with no AI in it: every answer is an echo, so the plumbing is all there is
 * to read.
 *
 * <ul>
 *   <li><b>State.</b> The attribute {@code lk.agent.state} says what the agent is doing:
 *       {@code initializing} while it sets up, {@code listening} when ready, {@code thinking} then
 *       {@code speaking} while it answers a chat message, then {@code listening} again.</li>
 *   <li><b>RPC.</b> It answers the method {@value #GET_TIME}: the current time in ISO-8601, in UTC, or
 *       in the time zone the payload names ({@code "Europe/Paris"}); an unknown zone is the error
 *       {@value #INVALID_TIME_ZONE}. When a participant joins it calls the participant's method
 *       {@value #GREET} with its own identity, and publishes the answer as its attribute
 *       {@value #GREETING_ATTRIBUTE}.</li>
 *   <li><b>Chat and transcriptions.</b> A chat message (a text stream on {@code lk.chat}) is "said"
 *       back: its words are sent one by one as the transcription of the agent's speech (a text stream on
 *       {@code lk.transcription}, which front ends show as the agent's words). Data messages on topic
 *       {@code chat} are answered with {@code echo: <message>}, as the echo agent does.</li>
 *   <li><b>Files.</b> A byte stream on {@value #UPLOAD_TOPIC} is read (chunk by chunk, never whole in
 *       memory) and acknowledged with a text stream on {@value #UPLOAD_ACK_TOPIC}:
 *       {@code {"name","size","sha256"}}.</li>
 *   <li><b>Audio.</b> It publishes a track and plays back on it what the first participant's
 *       microphone says.</li>
 *   <li><b>Video.</b> It subscribes to each participant's video, looks at the first frame, logs its size
 *       and a CRC32 of its I420 planes, and sends the participant a text stream on
 *       {@value #VIDEO_TOPIC}: {@code {"identity","width","height","crc32"}}.</li>
 * </ul>
 *
 * <p>Threads: room events run on the room's event thread, which should not block, so anything slow
 * (an RPC call, reading video) is handed to a small executor. Chat messages, byte streams and RPC
 * calls arrive on the room's own handler threads, where blocking is fine.
 *
 * <p>Read next: {@code docs/rpc.md}, {@code docs/data-streams.md} and {@code docs/video.md} at the top of the
 * lk-worker tree; {@code examples/echo-agent} is the smaller start.
 */
public final class AssistantAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(AssistantAgent.class);

    /** The RPC method this agent answers. */
    public static final String GET_TIME = "get_time";
    /** The error code of {@value #GET_TIME} for a time zone it does not know (codes outside 1001–1999 are the application's). */
    public static final int INVALID_TIME_ZONE = 4000;
    /** The RPC method the agent calls on each participant that joins. */
    public static final String GREET = "client.greet";
    /** The agent's attribute holding a participant's answer to {@value #GREET}. */
    public static final String GREETING_ATTRIBUTE = "example.greeting";
    /** Where the agent reports the first video frame it saw from a participant. */
    public static final String VIDEO_TOPIC = "assistant.video";
    /** Byte streams the agent receives and acknowledges. */
    public static final String UPLOAD_TOPIC = "assistant.upload";
    public static final String UPLOAD_ACK_TOPIC = "assistant.upload.ack";
    /** How many times the agent calls {@value #GREET} on a participant that does not acknowledge the call. */
    private static final int GREET_ATTEMPTS = 3;
    /** How long each word of an answer takes to "say": enough for a front end to show the words arrive. */
    private static final Duration WORD_PACE = Duration.ofMillis(120);

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        // AUDIO_ONLY: audio is subscribed to by itself, video only where we ask for it (see subscribeToVideo).
        Room room = ctx.connect(ConnectOptions.defaults().withAutoSubscribe(AutoSubscribe.AUDIO_ONLY));
        log.info("joined {} as {}", room.name(), room.localParticipant().identity());
        new Session(ctx, room).run();
    }

    /** One job: the room and what the agent keeps about it. */
    private static final class Session {
        private final JobContext ctx;
        private final Room room;
        private final LocalParticipant me;
        /** The agent's "voice": plays back a participant's microphone. */
        private final AudioSource voice = new AudioSource(48000, 1, 100);
        /** For what must not run on the room's event thread: RPC calls we make, reading video. */
        private final ExecutorService background = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "assistant-background");
            t.setDaemon(true);
            return t;
        });
        private final BlockingQueue<RemoteAudioTrack> microphones = new LinkedBlockingQueue<>();
        private final Set<String> greeted = ConcurrentHashMap.newKeySet();
        private final Set<String> videoReported = ConcurrentHashMap.newKeySet();
        /** One answer at a time: the agent has one voice, and its state is one attribute. */
        private final Object speaking = new Object();

        Session(JobContext ctx, Room room) {
            this.ctx = ctx;
            this.room = room;
            this.me = room.localParticipant();
        }

        void run() throws InterruptedException {
            me.setAgentState(AgentState.INITIALIZING);

            // Publish the voice first: transcriptions of the agent's speech name its sid
            // (lk.transcribed_track_id), which is how front ends tie the words to the audio.
            me.publishTrack(LocalAudioTrack.create("assistant-voice", voice));

            // RPC, chat and uploads are registered before we say we are listening.
            me.registerRpcMethod(GET_TIME, AssistantAgent::getTime);
            ChatInput.register(room, this::answer);
            room.registerByteStreamHandler(UPLOAD_TOPIC, this::acknowledgeUpload);

            room.addListener(new RoomListener() {
                @Override
                public void onParticipantConnected(RemoteParticipant participant) {
                    greet(participant);
                }

                @Override
                public void onTrackPublished(RemoteTrackPublication publication, RemoteParticipant from) {
                    subscribeToVideo(publication);
                }

                @Override
                public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant from) {
                    if (track instanceof RemoteAudioTrack audio && publication.source() == TrackSource.MICROPHONE) {
                        microphones.add(audio);
                    } else if (track instanceof RemoteVideoTrack video && videoReported.add(from.identity())) {
                        background.submit(() -> reportFirstFrame(video, publication, from.identity()));
                    }
                }

                @Override
                public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                    if ("chat".equals(topic) && from != null) {
                        String text = new String(data, StandardCharsets.UTF_8);
                        log.info("{} sends a data message: {}", from.identity(), text);
                        me.publishData(("echo: " + text).getBytes(StandardCharsets.UTF_8),
                                DataOptions.defaults().withTopic("chat").withDestinations(from.identity()));
                    }
                }
            });
            // Who and what was already in the room when we joined: the listener only hears of what comes
            // after. (The sets make each participant greeted and reported once, whichever path comes first.)
            for (RemoteParticipant p : room.remoteParticipants().values()) {
                greet(p);
                p.trackPublications().values().forEach(Session::subscribeToVideo);
                p.trackPublications().values().forEach(pub -> pub.track()
                        .filter(t -> t instanceof RemoteAudioTrack && pub.source() == TrackSource.MICROPHONE)
                        .ifPresent(t -> microphones.add((RemoteAudioTrack) t)));
            }

            me.setAgentState(AgentState.LISTENING);
            log.info("ready: listening");

            // The job's own thread plays back the first microphone until the job ends.
            try {
                while (!ctx.isShuttingDown()) {
                    RemoteAudioTrack microphone = microphones.poll(200, TimeUnit.MILLISECONDS);
                    if (microphone != null) {
                        echo(microphone);
                    }
                }
            } finally {
                background.shutdownNow();
                voice.close();
            }
        }

        // ---- chat in, speech (a transcription) out -----------------------------------------------

        /**
         * "Says" a chat message back: state thinking, then speaking while the words go out one by one as
         * the transcription of the agent's speech (interim: each word is a chunk of one text stream whose
         * header says final "false"; final: the stream's trailer says "true"), then listening again.
         * Runs on a data-stream thread of the room, where blocking is fine.
         */
        private void answer(ChatMessage message) {
            log.info("{} writes: {}", message.senderIdentity(), message.text());
            synchronized (speaking) {
                me.setAgentState(AgentState.THINKING);
                // (a real agent would call its model here)
                AgentTranscriptions.AgentSegment segment = new AgentTranscriptions(room).agentSegment();
                me.setAgentState(AgentState.SPEAKING);
                try {
                    for (String word : words(message.text())) {
                        segment.write(word);
                        Thread.sleep(WORD_PACE.toMillis()); // the pace of speech, for the front end's sake
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    segment.finish();
                    me.setAgentState(AgentState.LISTENING);
                }
            }
        }

        // ---- RPC we make -------------------------------------------------------------------------

        /** Calls {@value #GREET} on a participant who joined (once each; not other agents), on the background executor. */
        private void greet(RemoteParticipant participant) {
            if (participant.kind() == ParticipantKind.AGENT || !greeted.add(participant.identity())) {
                return;
            }
            background.submit(() -> {
                // A participant that has only just joined may not have its data connection up yet: what is
                // sent to it meanwhile is lost, and the call ends with CONNECTION_TIMEOUT (no acknowledgement
                // within 7 s). So try again, a few times.
                for (int attempt = 1; attempt <= GREET_ATTEMPTS; attempt++) {
                    try {
                        String answer = me.performRpc(participant.identity(), GREET, me.identity());
                        log.info("{} answered {}: {}", participant.identity(), GREET, answer);
                        me.setAttributes(Map.of(GREETING_ATTRIBUTE, answer));
                        return;
                    } catch (RpcError e) {
                        if (e.code() == RpcError.UNSUPPORTED_METHOD) {
                            log.info("{} does not answer {}: no greeting", participant.identity(), GREET);
                            return;
                        } else if (e.code() != RpcError.CONNECTION_TIMEOUT || attempt == GREET_ATTEMPTS
                                || !room.remoteParticipants().containsKey(participant.identity())) {
                            log.warn("{} to {} failed: {}", GREET, participant.identity(), e.toString());
                            return;
                        }
                        log.info("{} did not acknowledge {} (attempt {}): trying again", participant.identity(), GREET, attempt);
                    }
                }
            });
        }

        // ---- byte streams ------------------------------------------------------------------------

        /** Reads an upload chunk by chunk (bounded memory) and acknowledges it with its size and SHA-256. */
        private void acknowledgeUpload(ByteStreamReader reader, String from) throws Exception {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size = 0;
            for (byte[] chunk : reader) {
                sha256.update(chunk);
                size += chunk.length;
            }
            String digest = HexFormat.of().formatHex(sha256.digest());
            log.info("{} uploaded {} ({} bytes, SHA-256 {})", from, reader.info().name(), size, digest);
            String ack = "{\"name\":" + json(reader.info().name()) + ",\"size\":" + size + ",\"sha256\":\"" + digest + "\"}";
            me.sendText(ack, StreamTextOptions.topic(UPLOAD_ACK_TOPIC).withDestinations(from).withReplyTo(reader.info().id()));
        }

        // ---- video -------------------------------------------------------------------------------

        /** In an AUDIO_ONLY room video is subscribed to on request: ask for every video track. */
        private static void subscribeToVideo(TrackPublication publication) {
            if (publication.kind() == TrackKind.VIDEO && publication instanceof RemoteTrackPublication remote
                    && !remote.isSubscribed()) {
                remote.setSubscribed(true); // onTrackSubscribed follows with a RemoteVideoTrack
            }
        }

        /**
         * Waits for the first frame of {@code video}, logs its size and CRC32 and sends them to its
         * publisher on {@value #VIDEO_TOPIC}; then unsubscribes (the agent looks once: receiving video
         * costs decoding on our side and encoding on the development server's).
         */
        private void reportFirstFrame(RemoteVideoTrack video, RemoteTrackPublication publication, String identity) {
            VideoFrame first = null;
            try (VideoStream stream = VideoStream.of(video)) {
                while (first == null && !stream.isEnded() && !ctx.isShuttingDown()) {
                    first = stream.poll(Duration.ofMillis(500));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                log.info("{}'s video {} ended before its first frame", identity, video.sid());
                return;
            }
            CRC32 crc = new CRC32(); // of the I420 planes: Y, then U, then V
            crc.update(first.y());
            crc.update(first.u());
            crc.update(first.v());
            String checksum = String.format("%08x", crc.getValue());
            log.info("first video frame from {}: {}x{}, CRC32 {}", identity, first.width(), first.height(), checksum);
            String report = "{\"identity\":" + json(identity) + ",\"width\":" + first.width() + ",\"height\":"
                    + first.height() + ",\"crc32\":\"" + checksum + "\"}";
            me.sendText(report, StreamTextOptions.topic(VIDEO_TOPIC).withDestinations(identity));
            publication.setSubscribed(false);
        }

        // ---- audio -------------------------------------------------------------------------------

        /** Plays {@code microphone} back until it ends or the job is ending. */
        private void echo(RemoteAudioTrack microphone) throws InterruptedException {
            log.info("echoing track {}", microphone.sid());
            try (AudioStream heard = AudioStream.of(microphone, 48000, 1)) {
                while (!ctx.isShuttingDown()) {
                    AudioFrame frame = heard.poll(Duration.ofMillis(200));
                    if (frame != null) {
                        voice.captureFrame(frame);
                    } else if (heard.isEnded()) {
                        break;
                    }
                }
            }
            log.info("track {} ended", microphone.sid());
        }
    }

    // ---- RPC we answer ---------------------------------------------------------------------------

    /**
     * {@value #GET_TIME}: the time now, ISO-8601; in UTC ({@code 2026-12-07T18:39:16.123Z}) for an empty
     * payload, else in the zone the payload names ({@code 2026-12-07T19:39:16.123+01:00} for
     * {@code Europe/Paris}). Runs on the room's RPC pool.
     */
    static String getTime(RpcInvocationData call) {
        String zone = call.payload().trim();
        if (zone.isEmpty()) {
            return Instant.now().toString();
        }
        try {
            return ZonedDateTime.now(ZoneId.of(zone)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeException e) {
            // the caller gets code, message and data as they are
            throw new RpcError(INVALID_TIME_ZONE, "unknown time zone: " + zone, e.getMessage());
        }
    }

    /** {@code text} cut into words, each with the space after it: together they are {@code text} again. */
    static List<String> words(String text) {
        return List.of(text.split("(?<=\\s)(?=\\S)"));
    }

    /** {@code s} as a JSON string literal. */
    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
