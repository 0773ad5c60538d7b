package io.lkworker.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lkworker.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void timersFireInDeadlineOrderOnlyWhenTheClockReachesThem() {
        ManualClock clock = new ManualClock();
        EventLoop loop = new EventLoop(clock);
        loop.adoptCurrentThread();
        List<String> fired = new ArrayList<>();
        loop.schedule(300, () -> fired.add("300"));
        loop.schedule(100, () -> fired.add("100"));
        loop.schedule(200, () -> fired.add("200"));

        loop.runPending();
        assertThat(fired).isEmpty();
        clock.advanceMillis(150);
        loop.runPending();
        assertThat(fired).containsExactly("100");
        clock.advanceMillis(1000);
        loop.runPending();
        assertThat(fired).containsExactly("100", "200", "300");
        loop.close();
    }

    @Test
    void cancelledTimerNeverRuns() {
        ManualClock clock = new ManualClock();
        EventLoop loop = new EventLoop(clock);
        loop.adoptCurrentThread();
        List<String> fired = new ArrayList<>();
        Timer t = loop.schedule(10, () -> fired.add("x"));
        t.cancel();
        clock.advanceMillis(100);
        loop.runPending();
        assertThat(fired).isEmpty();
        assertThat(t.isCancelled()).isTrue();
        loop.close();
    }

    @Test
    void periodicTimerKeepsItsPeriodEvenWhenATickThrows() {
        ManualClock clock = new ManualClock();
        EventLoop loop = new EventLoop(clock);
        loop.adoptCurrentThread();
        List<Integer> ticks = new ArrayList<>();
        loop.scheduleAtFixedRate(0, 2500, () -> {
            ticks.add(ticks.size());
            if (ticks.size() == 1) {
                throw new IllegalStateException("boom");
            }
        });
        loop.runPending();
        for (int i = 0; i < 3; i++) {
            clock.advanceMillis(2500);
            loop.runPending();
        }
        assertThat(ticks).containsExactly(0, 1, 2, 3);
        loop.close();
    }

    @Test
    void tasksFromOtherThreadsRunOnTheLoopThreadAndAFailingTaskDoesNotStopIt() throws Exception {
        EventLoop loop = new EventLoop(Clock.system()).start("test-loop");
        List<String> threads = new CopyOnWriteArrayList<>();
        loop.execute(() -> {
            throw new IllegalStateException("task failure");
        });
        CompletableFuture<Boolean> inLoop = new CompletableFuture<>();
        loop.execute(() -> {
            threads.add(Thread.currentThread().getName());
            inLoop.complete(loop.inLoop());
        });
        assertThat(inLoop.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).containsExactly("test-loop");
        assertThat(loop.inLoop()).isFalse();
        loop.close();
        assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void realTimerWakesTheSelector() throws Exception {
        EventLoop loop = new EventLoop(Clock.system()).start("test-loop");
        CompletableFuture<Long> fired = new CompletableFuture<>();
        long start = System.nanoTime();
        loop.schedule(50, () -> fired.complete(System.nanoTime()));
        long at = fired.get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(at - start)).isGreaterThanOrEqualTo(45);
        loop.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> loop.awaitTermination(0, TimeUnit.SECONDS));
    }
}
