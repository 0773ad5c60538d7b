package io.lkworker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The two middle layers of configuration — environment over config file — as a picocli default
 * value provider, so an option not given on the command line takes its value from
 * {@code LIVEKIT_URL} / {@code LKW_<KEY>}, else from the config file. Built-in defaults are not
 * served here: they depend on the mode and are applied by {@link ConfigResolver}.
 *
 * <p>The config file is {@code --config FILE}, else {@code LKW_CONFIG}, else
 * {@code conf/lk-worker.properties} under the install directory (system property
 * {@value #HOME_PROPERTY}, set by the launcher) when that file exists. It is read with
 * {@link Properties#load(Reader)}; keys are the option names without dashes. Unknown keys are an
 * error, so a misspelt setting never silently falls back to its default.
 *
 * <p>Problems with the file are not thrown from inside picocli's parsing (picocli would wrap
 * them); they are kept and raised by {@link #check()}, which the commands call first.
 */
public final class ConfigSources implements CommandLine.IDefaultValueProvider {

    public static final String HOME_PROPERTY = "lkworker.home";
    public static final String DEFAULT_FILE = "conf/lk-worker.properties";

    private final Map<String, String> env;
    private final Path home;
    private final Supplier<String> explicitConfig;

    /** Loaded lazily: picocli asks for defaults after parsing, when --config is known. */
    private Loaded loaded;

    private record Loaded(String explicit, Path file, Properties properties, String problem) {
    }

    /**
     * @param env the environment (injectable so tests need not touch the real one)
     * @param home the install directory, or null
     * @param explicitConfig the value of {@code --config} once parsed (may supply null)
     */
    public ConfigSources(Map<String, String> env, Path home, Supplier<String> explicitConfig) {
        this.env = Map.copyOf(env);
        this.home = home;
        this.explicitConfig = explicitConfig;
    }

    /** Environment over config file, no defaults, no command line. Null when neither sets {@code key}. */
    public RawValue lookup(String key) {
        String var = ConfigKeys.envVar(key);
        String fromEnv = env.get(var);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new RawValue(fromEnv.trim(), "environment variable " + var);
        }
        Loaded file = file();
        if (file.properties() != null) {
            String fromFile = file.properties().getProperty(key);
            if (fromFile != null && !fromFile.isBlank()) {
                return new RawValue(fromFile.trim(), "config file " + file.file());
            }
        }
        return null;
    }

    /** The config file in use, if any. */
    public Optional<Path> configFile() {
        Loaded file = file();
        return file.properties() == null ? Optional.empty() : Optional.of(file.file());
    }

    /** Throws the problem found with the config file (missing explicit file, unreadable, unknown key). */
    public void check() throws ConfigException {
        String problem = file().problem();
        if (problem != null) {
            throw new ConfigException(problem);
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        // For negatable booleans picocli sets "the opposite of the default" when the positive form
        // is given, so a default of true would turn --can-publish into false. Those options get no
        // default from picocli; ConfigResolver looks them up itself.
        if (option.negatable()) {
            return null;
        }
        String key = option.longestName().replaceFirst("^--", "");
        if (!ConfigKeys.ALL.contains(key)) {
            return null;
        }
        RawValue value = lookup(key);
        return value == null ? null : value.value();
    }

    private Loaded file() {
        String explicit = explicitConfig.get();
        if (loaded == null || !Objects.equals(loaded.explicit(), explicit)) {
            loaded = load(explicit);
        }
        return loaded;
    }

    private Loaded load(String explicit) {
        String source = "--config";
        String location = explicit;
        if (location == null || location.isBlank()) {
            source = ConfigKeys.envVar(ConfigKeys.CONFIG);
            location = env.get(source);
        }
        Path file;
        if (location != null && !location.isBlank()) {
            try {
                file = Path.of(location.trim());
            } catch (RuntimeException e) {
                return new Loaded(explicit, null, null, source + ": not a valid path, got '" + location + "'");
            }
            if (!Files.isRegularFile(file)) {
                return new Loaded(explicit, file, null, source + ": config file not found: " + file);
            }
        } else if (home != null && Files.isRegularFile(home.resolve(DEFAULT_FILE))) {
            file = home.resolve(DEFAULT_FILE);
        } else {
            return new Loaded(explicit, null, null, null);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            return new Loaded(explicit, file, null, "config file " + file + ": cannot be read: " + e.getMessage());
        }
        for (String key : properties.stringPropertyNames()) {
            if (!ConfigKeys.ALL.contains(key)) {
                return new Loaded(explicit, file, null, "config file " + file + ": unknown setting '" + key + "'" + hint(key));
            }
        }
        return new Loaded(explicit, file, properties, null);
    }

    private static String hint(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-').replaceFirst("^-+", "");
        return ConfigKeys.ALL.contains(normalized) ? " (did you mean '" + normalized + "'?)" : "";
    }
}
