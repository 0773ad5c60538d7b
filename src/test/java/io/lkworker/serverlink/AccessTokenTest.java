package io.lkworker.serverlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AccessTokenTest {

    private static final long NOW = 1_700_000_000_000L;

    @Test
    void workerTokenCarriesIssuerExpiryAndAgentGrantAndVerifies() throws Exception {
        String token = AccessToken.workerToken("devkey", "secret", NOW, Duration.ofHours(6));
        JsonObject claims = AccessToken.verify(token, "secret", NOW);
        assertThat(claims.get("iss").getAsString()).isEqualTo("devkey");
        assertThat(claims.get("exp").getAsLong()).isEqualTo(NOW / 1000 + 6 * 3600);
        assertThat(claims.get("nbf").getAsLong()).isEqualTo(NOW / 1000);
        assertThat(claims.getAsJsonObject("video").get("agent").getAsBoolean()).isTrue();
    }

    @Test
    void wrongSecretIsRefused() {
        String token = AccessToken.workerToken("devkey", "secret", NOW, Duration.ofHours(1));
        assertThatThrownBy(() -> AccessToken.verify(token, "other", NOW))
                .hasMessageContaining("signature is invalid");
    }

    @Test
    void expiredTokenIsRefusedAfterTheLeeway() throws Exception {
        String token = AccessToken.workerToken("devkey", "secret", NOW, Duration.ofSeconds(10));
        AccessToken.verify(token, "secret", NOW + 60_000); // inside exp + 60 s leeway
        assertThatThrownBy(() -> AccessToken.verify(token, "secret", NOW + 80_000)).hasMessageContaining("expired");
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> AccessToken.verify("a.b", "secret", NOW)).hasMessage("invalid authorization token");
    }
}
