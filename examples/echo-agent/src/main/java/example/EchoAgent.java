package example;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.rtc.AudioFrame;
import io.lkworker.api.rtc.AudioSource;
import io.lkworker.api.rtc.AudioStream;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.DataOptions;
import io.lkworker.api.rtc.LocalAudioTrack;
import io.lkworker.api.rtc.RemoteAudioTrack;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.Room;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.TrackSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the job's room, publishes a track of its own and plays back on it whatever the first
 * participant's microphone says; answers every data message on topic {@code chat} with
 * {@code echo: <message>}. Stays until the job ends (the room closes, or the job is terminated).
 */
public final class EchoAgent implements Agent {

    private static final Logger log = LoggerFactory.getLogger(EchoAgent.class);

    @Override
    public void entrypoint(JobContext ctx) throws Exception {
        Room room = ctx.connect(ConnectOptions.defaults().withAutoSubscribe(AutoSubscribe.AUDIO_ONLY));
        log.info("joined {} as {}", room.name(), room.localParticipant().identity());

        // 100 ms of queue: an echo should not lag behind (capturing blocks beyond that).
        AudioSource voice = new AudioSource(48000, 1, 100);
        room.localParticipant().publishTrack(LocalAudioTrack.create("echo", voice));

        BlockingQueue<RemoteAudioTrack> microphones = new LinkedBlockingQueue<>();
        room.addListener(new RoomListener() {
            @Override
            public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant from) {
                if (track instanceof RemoteAudioTrack audio && publication.source() == TrackSource.MICROPHONE) {
                    microphones.add(audio);
                }
            }

            @Override
            public void onDataReceived(byte[] data, RemoteParticipant from, String topic) {
                if ("chat".equals(topic) && from != null) {
                    String text = new String(data, StandardCharsets.UTF_8);
                    log.info("{} says: {}", from.identity(), text);
                    room.localParticipant().publishData(("echo: " + text).getBytes(StandardCharsets.UTF_8),
                            DataOptions.defaults().withTopic("chat").withDestinations(from.identity()));
                }
            }
        });
        // Tracks subscribed before the listener was added are already on their publications.
        room.remoteParticipants().values().forEach(p -> p.trackPublications().values().forEach(pub ->
                pub.track().filter(t -> t instanceof RemoteAudioTrack && pub.source() == TrackSource.MICROPHONE)
                        .ifPresent(t -> microphones.add((RemoteAudioTrack) t))));

        while (!ctx.isShuttingDown()) {
            RemoteAudioTrack microphone = microphones.poll(200, TimeUnit.MILLISECONDS);
            if (microphone != null) {
                echo(microphone, voice, ctx);
            }
        }
        voice.close();
    }

    /** Plays {@code microphone} back until it ends or the job is ending. */
    private static void echo(RemoteAudioTrack microphone, AudioSource voice, JobContext ctx) throws InterruptedException {
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
