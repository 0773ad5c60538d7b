package io.lkworker.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test parser itself must reject what is not the text format, or the metrics tests prove nothing. */
class PrometheusTextTest {

    @Test
    void readsSamplesAndComments() {
        String text = "# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"\"} 2.0\nb 3\n"
                + "c_bucket{le=\"+Inf\"} 1\n";
        assertThat(PrometheusText.parse(text))
                .containsEntry("a_total{x=\"1\",y=\"q\\\"\"}", 2.0)
                .containsEntry("b", 3.0)
                .containsEntry("c_bucket{le=\"+Inf\"}", 1.0);
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> PrometheusText.parse("a_total two\n")).hasMessageContaining("not a sample");
        assertThatThrownBy(() -> PrometheusText.parse("a{x=1} 2\n")).hasMessageContaining("not a sample");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a nonsense\n")).hasMessageContaining("bad comment");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("newline");
    }
}
