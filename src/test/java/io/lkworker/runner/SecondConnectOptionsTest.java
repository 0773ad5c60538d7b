package io.lkworker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.config.WorkerConfig;
import io.lkworker.load.LoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Issue 20, item 7: a second ctx.connect() asking for other options gets the room already joined, and is told so. */
@Tag("rtc")
class SecondConnectOptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    static final Set<String> DONE = ConcurrentHashMap.newKeySet();

    /** Connects three times: with the defaults, the same again, then with another timeout. */
    public static final class TwiceConnectingAgent implements Agent {
        @Override
        public void entrypoint(JobContext ctx) throws Exception {
            ctx.connect();
            ctx.connect(ConnectOptions.defaults());
            ctx.connect(ConnectOptions.defaults().withTimeout(Duration.ofSeconds(3)));
            DONE.add(ctx.job().id());
        }
    }

    @TempDir
    Path dir;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(HostedJobContext.class);
    private LocalLiveKitServer server;
    private Daemon daemon;

    @AfterEach
    void stop() {
        logger.detachAppender(logs);
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSecondConnectWithOtherOptionsIsWarnedAboutOnce() throws Exception {
        logs.start();
        logger.addAppender(logs);
        server = LocalLiveKitServer.create(ServerConfig.builder().build()).start();
        WorkerConfig config = TestConfigs.config(server.url(), b -> {
            b.executor = WorkerConfig.ExecutorKind.THREAD;
            b.agentJar = Path.of("agent.jar");
            b.idle = 0;
            b.runDir = dir.resolve("run");
            return b;
        });
        daemon = new Daemon(config, new LoadedAgent(new TwiceConnectingAgent(), "TwiceConnectingAgent",
                getClass().getClassLoader(), null), DefaultExecutors.defaultFactory(), LoadMonitor.fixed(0.1),
                Clock.system());
        daemon.start();
        server.awaitWorker(WAIT);
        server.createDispatch("twice", "test-agent", "");

        await().atMost(WAIT).until(() -> !DONE.isEmpty());

        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("connect():")).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("the room is already joined with ConnectOptions[autoSubscribe=ALL, timeout=PT15S")
                .contains("the options of this call (ConnectOptions[autoSubscribe=ALL, timeout=PT3S")
                .endsWith("are ignored");
    }
}
