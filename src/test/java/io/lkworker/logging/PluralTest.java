package io.lkworker.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluralTest {

    @Test
    void oneTakesTheSingularEverythingElseThePlural() {
        assertThat(Plural.of(1, "warm child", "warm children")).isEqualTo("1 warm child");
        assertThat(Plural.of(0, "running job", "running jobs")).isEqualTo("0 running jobs");
        assertThat(Plural.of(2, "running job", "running jobs")).isEqualTo("2 running jobs");
        assertThat(Plural.of(-1, "job", "jobs")).isEqualTo("-1 jobs");
    }
}
