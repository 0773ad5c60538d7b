package io.lkworker.bench;

import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.StreamBytesOptions;
import io.lkworker.api.rtc.StreamTextOptions;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import io.lkworker.serverlink.AccessToken;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * Data stream throughput between two of our room clients through the embedded server on loopback
 * (real WebRTC data channels): a 10 KB text stream ({@code sendText}) and a 1 MiB byte stream
 * ({@code sendBytes}), each timed from the send call until the receiver's handler has read the whole
 * stream. Prints the median and the best of the rounds. Run by hand:
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) io.lkworker.bench.DataStreamBenchmark [rounds]</pre>
 */
public final class DataStreamBenchmark {

    private DataStreamBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start()) {
            RtcRoom receiver = RtcRoom.connect(server.url(), token("receiver"), ConnectOptions.defaults());
            RtcRoom sender = RtcRoom.connect(server.url(), token("sender"), ConnectOptions.defaults());
            receiver.waitForParticipant(p -> p.identity().equals("sender"), Duration.ofSeconds(30));
            sender.waitForParticipant(p -> p.identity().equals("receiver"), Duration.ofSeconds(30));
            SynchronousQueue<Long> done = new SynchronousQueue<>();
            receiver.registerTextStreamHandler("bench", (reader, who) -> {
                int n = reader.readAll().length();
                done.put(System.nanoTime() + (n == 0 ? 1 : 0));
            });
            receiver.registerByteStreamHandler("bench", (reader, who) -> {
                int n = reader.readAll().length;
                done.put(System.nanoTime() + (n == 0 ? 1 : 0));
            });
            char[] chars = new char[10_000];
            Arrays.fill(chars, 'x');
            String text = new String(chars);
            byte[] bytes = new byte[1 << 20];
            new Random(1).nextBytes(bytes);

            long[] textNanos = new long[rounds];
            long[] byteNanos = new long[rounds];
            for (int i = -3; i < rounds; i++) { // three warm-up rounds
                long t0 = System.nanoTime();
                sender.localParticipant().sendText(text, StreamTextOptions.topic("bench"));
                long t1 = take(done) - t0;
                long b0 = System.nanoTime();
                sender.localParticipant().sendBytes(bytes, StreamBytesOptions.topic("bench"));
                long b1 = take(done) - b0;
                if (i >= 0) {
                    textNanos[i] = t1;
                    byteNanos[i] = b1;
                }
            }
            print("text stream 10 KB", textNanos, text.length());
            print("byte stream 1 MiB", byteNanos, bytes.length);
            sender.disconnect();
            receiver.disconnect();
        }
    }

    private static long take(SynchronousQueue<Long> done) throws InterruptedException {
        Long at = done.poll(60, TimeUnit.SECONDS);
        if (at == null) {
            throw new IllegalStateException("the receiver did not finish a stream within 60 s");
        }
        return at;
    }

    private static void print(String what, long[] nanos, int size) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        double best = sorted[0] / 1e6;
        System.out.printf("%-20s rounds %d  median %.1f ms (%.1f MB/s)  best %.1f ms (%.1f MB/s)%n", what,
                nanos.length, median, size / 1e6 / (median / 1e3), best, size / 1e6 / (best / 1e3));
    }

    private static String token(String identity) {
        return AccessToken.participantToken(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET, "bench",
                identity, identity, System.currentTimeMillis(), Duration.ofMinutes(10));
    }
}
