package io.lkworker.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.lkworker.api.rtc.ConnectOptions;
import io.lkworker.api.rtc.RoomException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 20, item 7: a URL that reaches a web server other than LiveKit says so, not a bare "HTTP 404". */
class NotLiveKitServerTest {

    @Test
    void aServerWithoutRtcValidateIsNamedAsPossiblyNotLiveKit() throws Exception {
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", exchange -> {
            byte[] body = "404 page not found".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        web.start();
        try {
            String url = "ws://127.0.0.1:" + web.getAddress().getPort();
            assertThatThrownBy(() -> RtcRoom.connect(url, "a.b.c",
                    ConnectOptions.defaults().withTimeout(Duration.ofSeconds(5))))
                    .isInstanceOf(RoomException.class)
                    .hasMessageContaining("127.0.0.1:" + web.getAddress().getPort() + " answered HTTP 404 at /rtc/validate:"
                            + " is this a LiveKit server? (HTTP 404: 404 page not found)");
        } finally {
            web.stop(0);
        }
    }
}
