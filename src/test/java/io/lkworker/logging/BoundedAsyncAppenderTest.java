package io.lkworker.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The queue between the loggers (the event loop among them) and standard output. */
class BoundedAsyncAppenderTest {

    /** Stands in for standard output: records what it was given; can be made to hang, as a stalled pipe. */
    static final class Sink extends AppenderBase<ILoggingEvent> {
        final List<ILoggingEvent> written = new CopyOnWriteArrayList<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        protected void append(ILoggingEvent event) {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event);
        }

        List<String> messages() {
            return written.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private final LoggerContext context = new LoggerContext();
    private final Sink sink = new Sink();
    private BoundedAsyncAppender async;
    private Logger logger;

    @BeforeEach
    void wire() {
        context.setMDCAdapter(MDC.getMDCAdapter()); // the one SLF4J's MDC class writes to
        sink.setContext(context);
        sink.setName("SINK");
        sink.start();
        async = new BoundedAsyncAppender();
        async.setContext(context);
        async.setName("ASYNC");
        async.setQueueSize(4);
        async.addAppender(sink);
        async.start();
        logger = context.getLogger("io.lkworker.test");
        logger.setAdditive(false);
        logger.addAppender(async);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        sink.gate.countDown();
        context.stop();
    }

    @Test
    void recordsReachTheAppenderInOrderWithTheCallersMdc() throws Exception {
        MDC.put("job_id", "AJ_1");
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 4; i++) {            // what the queue holds at once
                logger.info("record {}", round * 4 + i);
            }
            assertThat(async.flush(5_000)).isTrue();
        }
        MDC.clear();

        assertThat(sink.messages()).hasSize(20).startsWith("record 0", "record 1").endsWith("record 19");
        assertThat(sink.written).allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("job_id", "AJ_1"));
        assertThat(sink.written).allSatisfy(e -> assertThat(e.getThreadName()).isEqualTo(Thread.currentThread().getName()));
    }

    @Test
    void aStalledOutputNeverBlocksTheCallerRecordsAreDroppedCountedAndReported() throws Exception {
        sink.gate = new CountDownLatch(1);          // standard output stops being read
        logger.info("first");                        // taken by the writer thread, which now hangs in the sink
        assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
        long droppedBefore = BoundedAsyncAppender.droppedTotal();

        // 4 fit in the queue, 6 do not: all 10 calls return although nothing is being written
        CompletableFuture<Void> caller = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 10; i++) {
                logger.info("burst {}", i);
            }
        });
        caller.get(10, TimeUnit.SECONDS);
        assertThat(BoundedAsyncAppender.droppedTotal() - droppedBefore).isEqualTo(6);

        sink.gate.countDown();                        // the reader catches up
        assertThat(async.flush(5_000)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.written.size() == 6);
        assertThat(sink.messages()).containsExactly("first",
                "6 log records dropped: the log queue (4 records) was full because standard output was not read fast enough",
                "burst 0", "burst 1", "burst 2", "burst 3");
        assertThat(sink.written.get(1).getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void stopWritesWhatIsQueued() {
        sink.gate = new CountDownLatch(1);
        logger.info("a");
        logger.info("b");
        logger.info("c");
        sink.gate.countDown();

        async.stop();

        assertThat(sink.messages()).containsExactly("a", "b", "c");
        assertThat(sink.isStarted()).as("the wrapped appender is stopped with it").isFalse();
    }

    @Test
    void stopGivesUpOnAHungOutputAfterMaxFlushTime() {
        async.setMaxFlushTime(200);
        sink.gate = new CountDownLatch(1);
        logger.info("hangs");
        logger.info("never written");

        long start = System.nanoTime();
        async.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(sink.messages()).doesNotContain("never written");
    }

    @Test
    void refusesToStartWithoutAnAppender() {
        BoundedAsyncAppender lonely = new BoundedAsyncAppender();
        lonely.setContext(context);
        lonely.setName("LONELY");
        lonely.start();
        assertThat(lonely.isStarted()).isFalse();
    }
}
