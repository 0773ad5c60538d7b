package io.lkworker.localserver.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.rtc.RtcRoom;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 20, item 7: the join line names the client's SDK as it named itself ("java"), not "UNKNOWN". */
@Tag("rtc")
class JoinLogLineTest {

    @Test
    void theJoinLineNamesOurJavaSdk() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(LocalRoom.class);
        logs.start();
        logger.addAppender(logs);
        try (LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().build()).start()) {
            RtcRoom room = RtcRoom.connect(server.url(), RawSignalClient.token("sdk-room", "alice"),
                    ConnectOptions.defaults());
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.stream()
                        .anyMatch(e -> e.getFormattedMessage().startsWith("room 'sdk-room': alice joined")));
                assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("room 'sdk-room': alice joined"))
                        .singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                        .contains(", sdk java ").doesNotContain("UNKNOWN");
            } finally {
                room.disconnect();
            }
        } finally {
            logger.detachAppender(logs);
        }
    }
}
