package io.lkworker.pool;

import com.google.protobuf.Message;
import io.lkworker.runner.ChildMain;
import io.lkworker.webrtc.NativeLibrary;
import io.lkworker.runner.IpcLoggingProvider;
import io.lkworker.runner.OrphanExit;
import io.lkworker.tracing.TracingClassPath;
import io.lkworker.tracing.TracingSwitch;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * Starts child JVMs: the daemon's own {@code java}, a minimal class path (lk-worker, protobuf,
 * SLF4J: no logback, picocli, OSHI, WebSocket or Gson), our JVM flags, then the user's
 * {@code jobJvmOptions} (later flags win), then {@link ChildMain}. The one-time secret goes to the
 * child's stdin; the job token never goes anywhere near a command line or environment.
 *
 * <p>Child stdout/stderr at the OS level (JVM warnings, crash reports; everything printed through
 * {@code System.out/err} is shipped over IPC instead) go to a file in the private run directory that
 * the pool logs when the child exits.
 */
final class ChildLauncher {

    /**
     * Flags for small, fast-starting children, chosen by measurement (PoolBenchmark --sweep, 2 cores,
     * JDK 17, 3 idle children after prewarm, VmRSS; a loaded shared machine, so times are noisy):
     * <ul>
     *   <li>JDK defaults (G1, C1+C2): 54.5-55.7 MB idle RSS, ready p50 778 ms.
     *   <li>{@code -XX:+UseSerialGC}: 52.7-54.0 MB (no G1 remembered sets, no parallel GC threads).
     *   <li>+ {@code -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1}: 48.7-48.9 MB (no C2 thread and arenas).
     *   <li>+ {@code -Xss512k -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData -Xshare:auto}: 48.9-49.7 MB,
     *       ready p50 260-590 ms with our dynamic CDS archive; the same with {@code -Xshare:off}: 58.7-59.8 MB
     *       and ready p50 792 ms, so the archive saves ~10 MB per child as well as start time.
     *   <li>{@code -Xms8m}, {@code -Xmn4m}, metaspace sizing: no measurable change (within 0.5 MB).
     *   <li>{@code -Xms4m -XX:NewSize=1m}: 44.8-44.9 MB vs 46.1-47.3 MB in 2 paired sweeps (plus one
     *       more within 0.1 MB): with the default initial heap (1/64 of RAM) eden is ~100 MB and every
     *       byte allocated during start and prewarm (~16 MB) stays resident until the first GC, which
     *       an idle child never reaches; a small initial young generation collects that garbage early.
     *       The heap still grows on demand (no -Xmx/-Xmn cap). Ready time unchanged. Not useful:
     *       {@code -XX:Min/MaxHeapFreeRatio} (no further gain), a System.gc() after prewarm (+2 MB: the
     *       full GC touches tenured pages, eden's stay resident), {@code MALLOC_ARENA_MAX=2},
     *       {@code -Xss256k -XX:ReservedCodeCacheSize=16m -XX:InitialCodeCacheSize=1m} (within 1 MB).
     * </ul>
     * C1 only costs peak throughput for CPU-heavy agents: override with {@code jobJvmOptions}
     * (they come after these), e.g. {@code -XX:TieredStopAtLevel=4 -XX:CICompilerCount=2}.
     */
    static final List<String> DEFAULT_JVM_FLAGS = baseFlags(List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1",
            "-Xss512k",
            "-Xms4m",
            "-XX:NewSize=1m",
            "-XX:ReservedCodeCacheSize=32m",
            // No -Xshare:auto here: it is the JVM's default, ClassDataSharing adds it with the archive,
            // and on JDK 25 the AOT cache trainer's -XX:AOTCacheOutput refuses any -Xshare option.
            "-XX:-UsePerfData",
            // JDK 24+ warns on standard error when an unnamed module calls System.load (JEP 472), as the
            // WebRTC library's loader does; accepted and without effect on 17.
            "--enable-native-access=ALL-UNNAMED"));

    /**
     * Not tunable: children log through our own SLF4J provider, which ships records over IPC
     * (logback is not on their class path). The verbosity keeps SLF4J's own "loading provider"
     * notice off the child's stderr.
     */
    static final List<String> LOGGING_PROPERTIES = List.of(
            "-Dslf4j.provider=" + IpcLoggingProvider.class.getName(),
            "-Dslf4j.internal.verbosity=WARN");

    /**
     * For measuring candidate flags only (the benchmark's sweep): the system property
     * {@code lkworker.pool.baseJvmFlags} (space-separated) replaces the defaults above.
     */
    private static List<String> baseFlags(List<String> defaults) {
        String override = System.getProperty("lkworker.pool.baseJvmFlags");
        if (override == null) {
            return defaults;
        }
        return override.isBlank() ? List.of() : List.of(override.trim().split("\\s+"));
    }

    /**
     * Variables of the daemon's environment that no child sees. The {@code OTEL_*} variables are passed
     * on (a child exports its spans itself), {@code OTEL_EXPORTER_OTLP_HEADERS} too: it may hold a
     * collector's credentials, which reach the child's environment only, never a command line or a log.
     */
    static final List<String> WITHHELD_ENVIRONMENT = List.of("LIVEKIT_API_SECRET");

    /**
     * A started child: its process, and what the pool must clean up after it.
     *
     * @param ownGroup the child leads its own process group (pgid = its pid)
     */
    record Launched(Process process, Path outputFile, ClassDataSharing.Plan cds, boolean ownGroup) {
    }

    private final PoolOptions options;
    private final Path socketPath;
    private final Path runDir;
    private final String javaCommand;
    private final List<String> classPath;
    private final String logLevel;
    private final ClassDataSharing cds;
    /** WebRTC settings of the children: where the native library is cached, whether to load it while warming. */
    private final List<String> webrtcProperties;

    ChildLauncher(PoolOptions options, Path socketPath, Path runDir) {
        this.options = options;
        this.socketPath = socketPath;
        this.runDir = runDir;
        this.javaCommand = javaCommand();
        this.classPath = classPathFor(options);
        this.logLevel = options.childLogLevel() != null ? options.childLogLevel() : daemonRootLevel();
        this.webrtcProperties = webrtcProperties(options);
        List<String> flags = new ArrayList<>(LOGGING_PROPERTIES);
        flags.addAll(webrtcProperties);
        flags.addAll(DEFAULT_JVM_FLAGS);
        flags.addAll(options.jobJvmOptions());
        this.cds = ClassDataSharing.create(options.cacheDir(), javaCommand, classPath, options.agentJar(), flags);
    }

    ClassDataSharing cds() {
        return cds;
    }

    /** Starts child number {@code n} and hands it {@code secret} on stdin. */
    Launched launch(int n, String secret) throws IOException {
        ClassDataSharing.Plan plan = cds.nextChild();
        List<String> command = new ArrayList<>(ProcessGroups.LAUNCH_PREFIX);
        command.add(javaCommand);
        command.addAll(LOGGING_PROPERTIES);
        command.addAll(webrtcProperties);
        command.addAll(DEFAULT_JVM_FLAGS);
        command.addAll(plan.flags());
        if (plan.training()) {
            command.add("-D" + OrphanExit.TRAINER_PROPERTY + "=true");
        }
        command.addAll(options.jobJvmOptions());
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classPath));
        command.add(ChildMain.class.getName());
        command.add("--socket");
        command.add(socketPath.toString());
        command.add("--agent-jar");
        command.add(options.agentJar().toAbsolutePath().toString());
        if (options.agentClass() != null && !options.agentClass().isBlank()) {
            command.add("--agent-class");
            command.add(options.agentClass());
        }
        command.add("--log-level");
        command.add(logLevel);
        Path output = runDir.resolve("child-" + n + ".out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectErrorStream(true)
                // O_APPEND: the pool can truncate the file under a child that writes too much
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        // Agent code gets the job's own room token, never the worker's API secret (it could mint any
        // token for any room). An agent that needs the server API gets its own credentials under
        // another name; everything else in the environment is passed on.
        WITHHELD_ENVIRONMENT.forEach(builder.environment()::remove);
        Process process = builder.start();
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            // stdin stays open: its end of file tells the child that the daemon is gone.
        } catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        return new Launched(process, output, plan, ProcessGroups.enabled());
    }

    private static List<String> classPathFor(PoolOptions options) {
        List<String> cp = new ArrayList<>(childClassPath());
        // Children inherit this process's environment, so they trace exactly when the daemon does; the
        // OpenTelemetry SDK's jars are on their class path only then (the API's always: TracingClassPath).
        cp.addAll(TracingClassPath.jars(ChildLauncher.class.getClassLoader(),
                TracingSwitch.fromEnvironment(System.getenv()).on()));
        if (options.cacheDir() == null) {
            return cp;
        }
        try {
            return ClassPathJars.jarDirectories(cp, options.cacheDir());
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ChildLauncher.class)
                    .warn("cannot pack class directories for class-data sharing: {}", e.getMessage());
            return cp;
        }
    }

    /**
     * The native library is cached next to the class-data archives (one copy shared by every child:
     * mapped once in memory, not written per start); it is loaded during warm-up only for agents that
     * use rooms. {@code --job-jvm-options -Dlkworker.webrtc.preload=true|false} overrides the guess
     * (those options come later on the command line, and the last definition wins).
     */
    private static List<String> webrtcProperties(PoolOptions options) {
        List<String> props = new ArrayList<>();
        if (options.cacheDir() != null) {
            props.add("-D" + NativeLibrary.DIR_PROPERTY + "=" + options.cacheDir().resolveSibling("native"));
        }
        props.add("-D" + ChildMain.WEBRTC_PRELOAD_PROPERTY + "=" + RoomUsage.usesRooms(options.agentJar()));
        return props;
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The code sources of the classes a child needs, and nothing else. */
    static List<String> childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        // lk-worker (runner, rtc client), protobuf, SLF4J; for rooms: webrtc-java, its native jar (the
        // library is extracted from it once), Java-WebSocket (signalling) and Gson (ICE candidates).
        for (Class<?> marker : List.of(ChildMain.class, Message.class, LoggerFactory.class,
                dev.onvoid.webrtc.PeerConnectionFactory.class, org.java_websocket.client.WebSocketClient.class,
                com.google.gson.Gson.class)) {
            try {
                entries.add(Path.of(marker.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot locate the code source of " + marker.getName(), e);
            }
        }
        nativeLibraryJar().ifPresent(entries::add);
        return List.copyOf(entries);
    }

    /** The jar holding webrtc-java's native library for this platform, if it is on our class path. */
    private static java.util.Optional<String> nativeLibraryJar() {
        java.net.URL url = dev.onvoid.webrtc.PeerConnectionFactory.class.getClassLoader()
                .getResource("libwebrtc-java-linux-x86_64.so");
        if (url == null || !url.getProtocol().equals("jar")) {
            return java.util.Optional.empty();
        }
        String spec = url.getPath(); // file:/path/x.jar!/libwebrtc-...
        int bang = spec.indexOf("!/");
        try {
            return java.util.Optional.of(Path.of(new java.net.URI(bang > 0 ? spec.substring(0, bang) : spec)).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    private static String daemonRootLevel() {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback && logback.getLevel() != null) {
            return logback.getLevel().toString();
        }
        return root.isDebugEnabled() ? "DEBUG" : "INFO";
    }
}
