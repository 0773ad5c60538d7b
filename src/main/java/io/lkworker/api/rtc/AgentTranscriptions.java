package io.lkworker.api.rtc;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes transcriptions the way LiveKit's Python agents do, so LiveKit's frontends (agents-playground,
 * the React components' {@code useTranscriptions}) show them: text streams on topic
 * {@value #TOPIC} with the attributes {@value #ATTRIBUTE_SEGMENT_ID}, {@value #ATTRIBUTE_TRACK_ID} and
 * {@value #ATTRIBUTE_FINAL} ({@code livekit/agents livekit-agents/livekit/agents/voice/room_io/_output.py
 * _ParticipantStreamTranscriptionOutput}, names in {@code livekit/agents/types.py}).
 *
 * <ul>
 *   <li>The agent's own speech ({@link #agentSegment()}): one stream per segment whose chunks are the
 *       successive pieces of text (deltas); the header says final {@code "false"}, the trailer
 *       {@code "true"}.</li>
 *   <li>What a participant said ({@link #userSegment(String)}): each update is a new, complete stream
 *       holding the whole text so far, final {@code "false"} in its header until the last one
 *       ({@code "true"}); all of one utterance share a segment id; the streams are sent on behalf of
 *       that participant (LiveKit's server then marks them {@code generated}).</li>
 * </ul>
 *
 * <p>Thread-safe; every call sends and may block like {@link TextStreamWriter#write}.
 */
public final class AgentTranscriptions {

    public static final String TOPIC = "lk.transcription";
    public static final String ATTRIBUTE_SEGMENT_ID = "lk.segment_id";
    public static final String ATTRIBUTE_TRACK_ID = "lk.transcribed_track_id";
    public static final String ATTRIBUTE_FINAL = "lk.transcription_final";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Room room;

    public AgentTranscriptions(Room room) {
        this.room = Objects.requireNonNull(room, "room");
    }

    /** A new segment of the agent's speech, transcribing its own microphone track (if it publishes one). */
    public AgentSegment agentSegment() {
        return new AgentSegment(room.localParticipant(), microphoneOf(room.localParticipant()));
    }

    /** A new utterance of {@code participantIdentity}, transcribing its microphone track (if it publishes one). */
    public UserSegment userSegment(String participantIdentity) {
        Participant who = room.remoteParticipants().get(Objects.requireNonNull(participantIdentity, "participantIdentity"));
        return new UserSegment(room.localParticipant(), participantIdentity, who == null ? "" : microphoneOf(who));
    }

    /** A segment id as LiveKit's agents make them: {@code SG_} and 12 random hex digits. */
    public static String newSegmentId() {
        StringBuilder id = new StringBuilder("SG_");
        for (int i = 0; i < 12; i++) {
            id.append(Character.forDigit(RANDOM.nextInt(16), 16));
        }
        return id.toString();
    }

    private static String microphoneOf(Participant participant) {
        for (TrackPublication pub : participant.trackPublications().values()) {
            if (pub.source() == TrackSource.MICROPHONE) {
                return pub.sid();
            }
        }
        return "";
    }

    private static Map<String, String> attributes(String segmentId, String trackId, boolean isFinal) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(ATTRIBUTE_SEGMENT_ID, segmentId);
        attributes.put(ATTRIBUTE_FINAL, Boolean.toString(isFinal));
        if (!trackId.isEmpty()) {
            attributes.put(ATTRIBUTE_TRACK_ID, trackId);
        }
        return attributes;
    }

    /** One segment of the agent's speech: {@link #write} the text as it is spoken, then {@link #finish}. */
    public static final class AgentSegment {
        private final LocalParticipant local;
        private final String trackId;
        private final String segmentId = newSegmentId();
        private TextStreamWriter writer;
        private boolean finished;

        AgentSegment(LocalParticipant local, String trackId) {
            this.local = local;
            this.trackId = trackId;
        }

        public String segmentId() {
            return segmentId;
        }

        /** Sends the next piece of text (the stream opens with the first piece; empty pieces send nothing). */
        public synchronized void write(String delta) {
            if (finished) {
                throw new IllegalStateException("segment " + segmentId + " is finished");
            }
            if (delta.isEmpty()) {
                return;
            }
            if (writer == null) {
                writer = local.streamText(StreamTextOptions.topic(TOPIC).withAttributes(attributes(segmentId, trackId, false)));
            }
            writer.write(delta);
        }

        /** Ends the segment: its trailer carries final {@code "true"} (nothing is sent if nothing was written). */
        public synchronized void finish() {
            if (finished) {
                return;
            }
            finished = true;
            if (writer != null) {
                Map<String, String> end = new HashMap<>();
                end.put(ATTRIBUTE_FINAL, "true");
                if (!trackId.isEmpty()) {
                    end.put(ATTRIBUTE_TRACK_ID, trackId);
                }
                writer.close("", end);
            }
        }
    }

    /** One utterance of a participant: {@link #update} with the text so far, {@link #finish} with the final text. */
    public static final class UserSegment {
        private final LocalParticipant local;
        private final String identity;
        private final String trackId;
        private final String segmentId = newSegmentId();
        private boolean finished;

        UserSegment(LocalParticipant local, String identity, String trackId) {
            this.local = local;
            this.identity = identity;
            this.trackId = trackId;
        }

        public String segmentId() {
            return segmentId;
        }

        /** An interim transcript: the whole text heard so far. */
        public synchronized TextStreamInfo update(String text) {
            return send(text, false);
        }

        /** The final transcript of the utterance; the segment is over afterwards. */
        public synchronized TextStreamInfo finish(String text) {
            TextStreamInfo info = send(text, true);
            finished = true;
            return info;
        }

        private TextStreamInfo send(String text, boolean isFinal) {
            if (finished) {
                throw new IllegalStateException("segment " + segmentId + " is finished");
            }
            return local.sendText(Objects.requireNonNull(text, "text"), StreamTextOptions.topic(TOPIC)
                    .withAttributes(attributes(segmentId, trackId, isFinal)).withSenderIdentity(identity));
        }
    }
}
