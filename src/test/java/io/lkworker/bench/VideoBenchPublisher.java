package io.lkworker.bench;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.LocalVideoTrack;
import io.lkworker.api.rtc.VideoSource;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.testing.MovingBar;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publishing side of {@link VideoBenchmark}, alone in a process so that its CPU (encoding) is not
 * the subscriber's: joins with the token given, publishes {@code tracks} moving bars of
 * {@code width × height} at {@code fps}, prints {@code PUBLISHED}, and runs until its standard input closes.
 * Arguments: url token width height fps tracks noise (± luma noise per sample, 0 for none).
 */
public final class VideoBenchPublisher {

    private VideoBenchPublisher() {
    }

    public static void main(String[] args) throws Exception {
        RoomSoakBenchmark.quietLogs();
        String url = args[0];
        String token = args[1];
        int width = Integer.parseInt(args[2]);
        int height = Integer.parseInt(args[3]);
        int fps = Integer.parseInt(args[4]);
        int tracks = Integer.parseInt(args[5]);
        int noise = Integer.parseInt(args[6]);
        RtcRoom room = RtcRoom.connect(url, token, ConnectOptions.defaults());
        List<Thread> players = new ArrayList<>();
        for (int i = 0; i < tracks; i++) {
            VideoSource source = new VideoSource(width, height);
            room.localParticipant().publishTrack(LocalVideoTrack.create("bar-" + i, source));
            players.add(MovingBar.play(source, fps, new AtomicLong(), noise));
        }
        System.out.println("PUBLISHED");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the benchmark closes our stdin (or dies)
        }
        players.forEach(Thread::interrupt);
        room.disconnect();
        System.exit(0);
    }
}
