package io.lkworker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {

    @TempDir
    Path home;

    private Path defaultFile(String content) throws Exception {
        Path file = home.resolve(ConfigSources.DEFAULT_FILE);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    @Test
    void environmentBeatsConfigFile() throws Exception {
        Path file = defaultFile("load-threshold=0.5\nmax-jobs=3\n");
        ConfigSources sources = new ConfigSources(Map.of("LKW_LOAD_THRESHOLD", "0.6"), home, () -> null);

        sources.check();
        assertThat(sources.lookup("load-threshold")).isEqualTo(new RawValue("0.6", "environment variable LKW_LOAD_THRESHOLD"));
        assertThat(sources.lookup("max-jobs")).isEqualTo(new RawValue("3", "config file " + file));
        assertThat(sources.lookup("max-retry")).isNull();
        assertThat(sources.configFile()).contains(file);
    }

    @Test
    void livekitNamesForConnectionSettings() {
        Map<String, String> env = Map.of("LIVEKIT_URL", "wss://a", "LIVEKIT_API_KEY", "k", "LIVEKIT_API_SECRET", "s",
                "LIVEKIT_AGENT_NAME", "n", "LIVEKIT_AGENT_DEPLOYMENT", "d", "LKW_URL", "wss://ignored");
        ConfigSources sources = new ConfigSources(env, null, () -> null);

        assertThat(sources.lookup("url").value()).isEqualTo("wss://a");
        assertThat(sources.lookup("api-key").value()).isEqualTo("k");
        assertThat(sources.lookup("api-secret").value()).isEqualTo("s");
        assertThat(sources.lookup("agent-name").value()).isEqualTo("n");
        assertThat(sources.lookup("deployment").value()).isEqualTo("d");
        assertThat(ConfigKeys.envVar("job-memory-warn-mb")).isEqualTo("LKW_JOB_MEMORY_WARN_MB");
    }

    @Test
    void blankValuesCountAsUnset() throws Exception {
        defaultFile("max-jobs=   \nmax-retry=4  \n");
        ConfigSources sources = new ConfigSources(Map.of("LKW_MAX_RETRY", " "), home, () -> null);

        assertThat(sources.lookup("max-jobs")).isNull();
        assertThat(sources.lookup("max-retry").value()).isEqualTo("4");
    }

    @Test
    void explicitConfigReplacesTheDefaultFile() throws Exception {
        defaultFile("max-jobs=3\n");
        Path other = Files.writeString(home.resolve("other.properties"), "max-jobs=5\n");
        AtomicReference<String> flag = new AtomicReference<>(other.toString());
        ConfigSources sources = new ConfigSources(Map.of(), home, flag::get);

        assertThat(sources.lookup("max-jobs").value()).isEqualTo("5");
        flag.set(null);
        assertThat(sources.lookup("max-jobs").value()).isEqualTo("3");
    }

    @Test
    void lkwConfigEnvironmentVariable() throws Exception {
        Path other = Files.writeString(home.resolve("other.properties"), "max-jobs=7\n");
        ConfigSources sources = new ConfigSources(Map.of("LKW_CONFIG", other.toString()), null, () -> null);
        assertThat(sources.lookup("max-jobs").value()).isEqualTo("7");
    }

    @Test
    void noFileAtAllIsFine() throws Exception {
        ConfigSources sources = new ConfigSources(Map.of(), home, () -> null);
        sources.check();
        assertThat(sources.configFile()).isEmpty();
        assertThat(sources.lookup("url")).isNull();
    }

    @Test
    void missingExplicitFileIsAnError() {
        Path missing = home.resolve("missing.properties");
        ConfigSources sources = new ConfigSources(Map.of(), home, missing::toString);
        assertThatThrownBy(sources::check).isInstanceOf(ConfigException.class)
                .hasMessage("--config: config file not found: " + missing);
        ConfigSources fromEnv = new ConfigSources(Map.of("LKW_CONFIG", missing.toString()), home, () -> null);
        assertThatThrownBy(fromEnv::check).hasMessage("LKW_CONFIG: config file not found: " + missing);
    }

    @Test
    void unknownKeyInFileIsAnErrorWithAHint() throws Exception {
        Path file = defaultFile("load_threshold=0.5\n");
        ConfigSources sources = new ConfigSources(Map.of(), home, () -> null);
        assertThatThrownBy(sources::check).isInstanceOf(ConfigException.class)
                .hasMessage("config file " + file + ": unknown setting 'load_threshold' (did you mean 'load-threshold'?)");
        // and the broken file contributes nothing
        assertThat(sources.lookup("load-threshold")).isNull();
    }
}
