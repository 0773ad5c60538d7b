package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.api.rtc.AutoSubscribe;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.LocalVideoTrackPublication;
import io.lkworker.api.rtc.RemoteParticipant;
import io.lkworker.api.rtc.RemoteTrack;
import io.lkworker.api.rtc.RemoteTrackPublication;
import io.lkworker.api.rtc.RemoteVideoTrack;
import io.lkworker.api.rtc.RoomException;
import io.lkworker.api.rtc.RoomListener;
import io.lkworker.api.rtc.TrackKind;
import io.lkworker.api.rtc.TrackPublishOptions;
import io.lkworker.api.rtc.TrackSource;
import io.lkworker.api.rtc.VideoFrame;
import io.lkworker.api.rtc.VideoSource;
import io.lkworker.api.rtc.VideoStream;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.testing.MovingBar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import livekit.LivekitRtc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Video between two of our room clients through the embedded server over real WebRTC on loopback:
 * a moving bar published at 320×240, 15 fps, received at that size and changing; the drop-oldest
 * bound of a stream nobody reads; unpublishing and leaving end the receiver's stream; teardown frees
 * every native object without webrtc-java refusing one (it throws {@code java.lang.Error}, which the
 * teardown logs).
 */
@Tag("rtc")
class VideoRoomTest {

    private static final int W = 320;
    private static final int H = 240;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private LocalLiveKitServer server;
    private final List<RtcRoom> rooms = new ArrayList<>();
    private final List<Thread> players = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private Level engineLevel;

    @BeforeEach
    void start() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.lkworker")).addAppender(logs);
        Logger engineLog = (Logger) LoggerFactory.getLogger(RtcEngine.class);
        engineLevel = engineLog.getLevel();
        engineLog.setLevel(Level.DEBUG); // its teardown steps that throw are logged at debug level
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
    }

    @AfterEach
    void stop() {
        players.forEach(Thread::interrupt);
        rooms.forEach(RtcRoom::disconnect);
        server.close();
        ((Logger) LoggerFactory.getLogger("io.lkworker")).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger(RtcEngine.class)).setLevel(engineLevel);
    }

    /**
     * No native object webrtc-java refused to free (logged "did not free" with its {@code java.lang.Error})
     * and no teardown step that threw ({@code RtcEngine.quietly}).
     */
    private void assertEverythingFreed() {
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains("did not free") || m.contains("teardown step failed"));
    }

    private RtcRoom join(String room, String identity) {
        return join(room, identity, ConnectOptions.defaults());
    }

    private RtcRoom join(String room, String identity, ConnectOptions options) {
        String token = AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, room,
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
        RtcRoom r = RtcRoom.connect(server.url(), token, options);
        rooms.add(r);
        return r;
    }

    /** Subscriptions and unsubscriptions {@code room} hears of. */
    private static final class Seen implements RoomListener {
        final CompletableFuture<RemoteVideoTrack> video = new CompletableFuture<>();
        final CompletableFuture<RemoteTrackPublication> videoPublished = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicReference<RemoteVideoTrack> latest = new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        public void onTrackPublished(RemoteTrackPublication publication, RemoteParticipant p) {
            if (publication.kind() == TrackKind.VIDEO) {
                videoPublished.complete(publication);
            }
        }
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onTrackSubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
            events.add("subscribed " + publication.sid());
            if (track instanceof RemoteVideoTrack v) {
                latest.set(v);
                video.complete(v);
            }
        }

        @Override
        public void onTrackUnsubscribed(RemoteTrack track, RemoteTrackPublication publication, RemoteParticipant p) {
            events.add("unsubscribed " + publication.sid());
        }

        @Override
        public void onTrackUnpublished(RemoteTrackPublication publication, RemoteParticipant p) {
            events.add("unpublished " + publication.sid());
        }
    }

    private LocalVideoTrack publishBar(RtcRoom room, String name) {
        VideoSource source = new VideoSource(W, H);
        LocalVideoTrack track = LocalVideoTrack.create(name, source);
        room.localParticipant().publishTrack(track);
        players.add(MovingBar.play(source, 15, new AtomicLong()));
        return track;
    }

    @Test
    void aMovingBarCrossesTheRoomAtItsSizeAndUnpublishingEndsTheStream() throws Exception {
        RtcRoom alice = join("video", "alice");
        RtcRoom bob = join("video", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);

        LocalVideoTrack track = publishBar(alice, "bar");
        LocalVideoTrackPublication published = alice.localParticipant().videoTrackPublications().values().iterator().next();
        assertThat(published.sid()).startsWith("TR_");
        assertThat(published.kind()).isEqualTo(TrackKind.VIDEO);
        assertThat(published.source()).isEqualTo(TrackSource.CAMERA);

        RemoteVideoTrack received = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(received.sid()).isEqualTo(published.sid());
        RemoteTrackPublication pub = bob.remoteParticipants().get("alice").trackPublications().get(published.sid());
        assertThat(pub.kind()).isEqualTo(TrackKind.VIDEO);

        Set<Integer> barPositions = new TreeSet<>();
        try (VideoStream stream = VideoStream.of(received)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (barPositions.size() < 3 && System.nanoTime() < deadline) {
                VideoFrame frame = stream.poll(Duration.ofSeconds(10));
                assertThat(frame).as("a frame within 10 s").isNotNull();
                assertThat(frame.width()).isEqualTo(W);
                assertThat(frame.height()).isEqualTo(H);
                int bar = MovingBar.findBar(frame);
                if (bar >= 0) {
                    barPositions.add(bar);
                }
            }
            assertThat(barPositions).as("the bar moves").hasSizeGreaterThanOrEqualTo(3);
            int[] argb = stream.poll(Duration.ofSeconds(5)).toArgb();
            assertThat(argb).hasSize(W * H);

            alice.localParticipant().unpublishTrack(track);
            assertThat(alice.localParticipant().videoTrackPublications()).isEmpty();
            await().atMost(WAIT).until(stream::isEnded);
            await().atMost(WAIT).until(() -> seen.events.contains("unpublished " + published.sid()));
            assertThat(seen.events).contains("unsubscribed " + published.sid());
        }
        assertEverythingFreed();
        assertThat(track.source().sentFrames()).isPositive();
    }

    @Test
    void aReaderThatDoesNotReadLosesTheOldestFramesCounted() throws Exception {
        RtcRoom alice = join("video-drop", "alice");
        RtcRoom bob = join("video-drop", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);
        publishBar(alice, "bar");
        RemoteVideoTrack received = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        List<Long> arrived = new CopyOnWriteArrayList<>();
        received.addSink(frame -> arrived.add(frame.timestampMicros()));
        VideoStream stream = VideoStream.of(received, 2);
        await().atMost(WAIT).until(() -> stream.receivedFrames() >= 10);
        stream.close();
        long got = stream.receivedFrames();
        assertThat(stream.droppedFrames()).isEqualTo(got - 2);
        VideoFrame first = stream.read();
        VideoFrame second = stream.read();
        assertThat(stream.read()).as("only the newest two were kept").isNull();
        assertThat(second.timestampMicros()).isGreaterThan(first.timestampMicros());
        // Both are among the last frames delivered, not the first ones.
        assertThat(arrived.indexOf(first.timestampMicros())).isGreaterThanOrEqualTo((int) got - 4);
    }

    @Test
    void leavingEndsTheReceiversStreamAndFreesEverything() throws Exception {
        RtcRoom alice = join("video-leave", "alice");
        RtcRoom bob = join("video-leave", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);
        publishBar(alice, "one");
        publishBar(alice, "two");
        RemoteVideoTrack received = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try (VideoStream stream = VideoStream.of(received)) {
            assertThat(stream.poll(WAIT)).isNotNull();
            alice.disconnect();
            await().atMost(WAIT).until(stream::isEnded);
        }
        bob.disconnect();
        assertEverythingFreed();
    }

    @Test
    void aTooLargeTrackIsRefusedByTheServerWithItsReason() {
        RtcRoom alice = join("video-big", "alice");
        LocalVideoTrack big = LocalVideoTrack.create("big", new VideoSource(1920, 1080));
        assertThatThrownBy(() -> alice.localParticipant().publishTrack(big))
                .isInstanceOf(RoomException.class).hasMessageContaining("1920x1080").hasMessageContaining("1280x720");
        assertThatThrownBy(() -> alice.localParticipant().publishTrack(big, TrackPublishOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MICROPHONE");
    }

    @Test
    void anAudioOnlyRoomReceivesVideoOnceItAsksFor() throws Exception {
        RtcRoom alice = join("video-ask", "alice");
        RtcRoom agent = join("video-ask", "agent", ConnectOptions.defaults().withAutoSubscribe(AutoSubscribe.AUDIO_ONLY));
        Seen seen = new Seen();
        agent.addListener(seen);
        publishBar(alice, "bar");
        RemoteTrackPublication pub = seen.videoPublished.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(pub.isSubscribed()).isFalse();

        pub.setSubscribed(true);
        RemoteVideoTrack received = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(pub.isSubscribed()).isTrue();
        try (VideoStream stream = VideoStream.of(received)) {
            VideoFrame frame = stream.poll(WAIT);
            assertThat(frame).isNotNull();
            assertThat(frame.width()).isEqualTo(W);
            pub.setSubscribed(false);
            await().atMost(WAIT).until(stream::isEnded);
        }
        assertThat(pub.isSubscribed()).isFalse();
    }

    @Test
    void aFullReconnectPublishesTheVideoAgain() throws Exception {
        RtcRoom alice = join("video-rejoin", "alice");
        RtcRoom bob = join("video-rejoin", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);
        publishBar(alice, "bar");
        RemoteVideoTrack before = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String sidBefore = before.sid();

        assertThat(server.sendLeave("video-rejoin", "alice", LivekitRtc.LeaveRequest.Action.RECONNECT)).isTrue();
        await().atMost(WAIT).until(() -> seen.latest.get() != null && !seen.latest.get().sid().equals(sidBefore));
        RemoteVideoTrack after = seen.latest.get();
        assertThat(alice.localParticipant().videoTrackPublications()).containsOnlyKeys(after.sid());
        try (VideoStream stream = VideoStream.of(after)) {
            VideoFrame frame = stream.poll(WAIT);
            assertThat(frame).as("frames of the republished track").isNotNull();
            assertThat(frame.width()).isEqualTo(W);
        }
    }

    @Test
    void anAdminMuteReachesThePublicationOnBothSides() throws Exception {
        RtcRoom alice = join("video-mute", "alice");
        RtcRoom bob = join("video-mute", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);
        publishBar(alice, "bar");
        RemoteTrackPublication remote = seen.videoPublished.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        LocalVideoTrackPublication local = alice.localParticipant().videoTrackPublications().get(remote.sid());
        assertThat(local.isMuted()).isFalse();

        assertThat(server.mutePublishedTrack("video-mute", "alice", remote.sid(), true)).isPresent();
        await().atMost(WAIT).until(local::isMuted);
        await().atMost(WAIT).until(remote::isMuted);
    }

    @Test
    void aResumedPublisherKeepsSendingTheSameTrack() throws Exception {
        RtcRoom alice = join("video-resume", "alice");
        RtcRoom bob = join("video-resume", "bob");
        Seen seen = new Seen();
        bob.addListener(seen);
        CompletableFuture<Void> back = new CompletableFuture<>();
        alice.addListener(new RoomListener() {
            @Override
            public void onReconnected() {
                back.complete(null);
            }
        });
        LocalVideoTrack track = publishBar(alice, "bar");
        RemoteVideoTrack received = seen.video.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String sid = received.sid();
        long sentBefore;
        try (VideoStream stream = VideoStream.of(received)) {
            assertThat(stream.poll(WAIT)).isNotNull();
            assertThat(server.dropSignalling("video-resume", "alice")).isTrue();
            back.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            sentBefore = track.source().sentFrames();
            long receivedBefore = stream.receivedFrames();
            await().atMost(WAIT).until(() -> stream.receivedFrames() > receivedBefore + 5);
            assertThat(stream.isEnded()).isFalse();
        }
        assertThat(alice.localParticipant().videoTrackPublications()).containsOnlyKeys(sid);
        assertThat(track.source().sentFrames()).isGreaterThan(sentBefore);
    }
}
