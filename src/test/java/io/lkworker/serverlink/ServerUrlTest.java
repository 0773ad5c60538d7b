package io.lkworker.serverlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerUrlTest {

    @ParameterizedTest
    @CsvSource({
        "http://localhost:7880, ws://localhost:7880/agent",
        "https://my.livekit.cloud, wss://my.livekit.cloud/agent",
        "ws://127.0.0.1:7880/, ws://127.0.0.1:7880/agent",
        "wss://host/prefix, wss://host/prefix/agent",
        "https://host/prefix//?x=1#f, wss://host/prefix/agent",
        "HTTPS://Host:443/a/b/, wss://Host:443/a/b/agent",
    })
    void buildsTheAgentEndpoint(String configured, String expected) {
        assertThat(ServerUrl.agentEndpoint(configured)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://host", "localhost:7880", "not a url", "", "ws://"})
    void refusesUnusableUrls(String configured) {
        assertThatThrownBy(() -> ServerUrl.agentEndpoint(configured)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"ws://h:1/agent, http://h:1/agent", "wss://h/p/agent, https://h/p/agent"})
    void httpFormForDiagnostics(String ws, String http) {
        assertThat(ServerUrl.httpForm(java.net.URI.create(ws))).hasToString(http);
    }
}
