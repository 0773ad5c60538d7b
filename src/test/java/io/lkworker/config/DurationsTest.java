package io.lkworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "10s, 10000", "500ms, 500", "2.5s, 2500", "1m, 60000", "1h, 3600000", "2.5, 2500", "0, 0",
        "3600, 3600000", "' 15s ', 15000", "1.5m, 90000", "10S, 10000", ".5s, 500", "-1s, -1000"
    })
    void parses(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "10 seconds", "1d", "s", "1.2.3s", "PT10S", "--1s"})
    void rejects(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a duration (use e.g. 500ms, 2.5s, 1m, 1h or plain seconds)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999h", "1e3"})
    void rejectsHugeOrScientific(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"2500, 2.5s", "500, 500ms", "3600000, 1h", "90000, 90s", "60000, 1m", "0, 0s", "10000, 10s"})
    void formats(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
