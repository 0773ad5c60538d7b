package io.lkworker.dev;

import io.lkworker.Daemon;
import io.lkworker.DefaultExecutors;
import io.lkworker.RunFiles;
import io.lkworker.config.WorkerConfig;
import io.lkworker.dev.playground.Playground;
import io.lkworker.load.CpuLoadMonitor;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.loop.Clock;
import io.lkworker.runner.AgentLoadException;
import io.lkworker.runner.AgentLoader;
import io.lkworker.runner.LoadedAgent;
import io.lkworker.worker.Worker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lk-worker dev}: the daemon plus what a developer needs around it — the embedded
 * LiveKit-protocol server when no URL is configured, an optional first dispatch, and hot reload of
 * the agent jar without dropping the server connection.
 */
public final class DevRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevRunner.class);
    /** How long the optional first dispatch waits for the worker to register. */
    private static final Duration REGISTER_WAIT = Duration.ofSeconds(60);

    private final WorkerConfig config;
    private final DevOptions options;
    private final AgentJarCopies copies;
    // the watcher thread's: the daemon's agent now and the one before it (see releaseOlderThan)
    private LoadedAgent current;
    private LoadedAgent previous;
    private LocalLiveKitServer embedded;
    /** The page on the embedded server's port; null when a URL was configured. */
    private Playground playground;
    private AutoCloseable jobLogCapture;
    private Daemon daemon;
    private AgentWatcher watcher;
    private RunFiles runFiles;
    /** Successful reloads so far (tests, logs). */
    private final AtomicInteger reloads = new AtomicInteger();

    private DevRunner(WorkerConfig config, DevOptions options) {
        this.config = config;
        this.options = options;
        this.copies = new AgentJarCopies(config.runDir().resolve("agents"));
    }

    /** The CLI's entry for {@code dev}; returns the process exit code. */
    public static int run(WorkerConfig config, LoadedAgent agent, DevOptions options) {
        try (DevRunner runner = start(config, agent, options)) {
            Daemon.installSignals(runner.daemon);
            int code = runner.daemon.exitCode().get();
            runner.runFiles.writeExited(code);
            return code;
        } catch (Exception e) {
            log.error("dev mode failed: {}", e.toString());
            System.err.println("lk-worker: " + e.getMessage());
            return Worker.EXIT_FAILURE;
        }
    }

    /** Starts dev mode and returns at once (tests); {@link #daemon()} tells when it exits. */
    public static DevRunner start(WorkerConfig config, LoadedAgent agent, DevOptions options) throws Exception {
        DevRunner runner = new DevRunner(config, options);
        try {
            runner.startAll(agent);
            return runner;
        } catch (Exception e) {
            runner.close();
            throw e;
        }
    }

    private void startAll(LoadedAgent initial) throws Exception {
        WorkerConfig effective = config;
        if (config.url() == null) {
            playground = new Playground(new Playground.Options(options.playgroundClientJs(), config.apiKey(),
                    config.apiSecret(), config.agentName()));
            LocalLiveKitServer server = LocalLiveKitServer.create(ServerConfig.builder().port(options.serverPort())
                    .apiKey(config.apiKey(), config.apiSecret())
                    // Dev conveniences: a dispatch made before the worker registers still gets its job,
                    // and a busy development machine's CPU load never hides the worker.
                    .offerUnservedDispatches(true).rejectUnservedAgentNames(true)
                    .targetLoad(Double.POSITIVE_INFINITY)
                    .build(), playground.routes());
            try {
                embedded = server.start();
            } catch (java.net.BindException e) {
                server.close();
                // The JDK's "Address already in use" names neither the port nor the option that changes it.
                java.net.BindException named = new java.net.BindException("--dev-server-port: cannot listen on port "
                        + options.serverPort() + " for the embedded LiveKit server (" + e.getMessage() + "); another"
                        + " lk-worker dev or LiveKit server has it: give another port with --dev-server-port PORT,"
                        + " or use that server with --url ws://127.0.0.1:" + options.serverPort());
                named.initCause(e);
                throw named;
            }
            effective = config.withUrl(embedded.url());
            log.info("no LiveKit URL configured: embedded LiveKit-protocol server listening at {} (API key {})",
                    embedded.url(), config.apiKey());
            // --url always: without it dispatch goes to LIVEKIT_URL when another shell exports it, or to
            // port 7880 when this server listens elsewhere
            log.info("dispatch a job with: {}", dispatchHint(embedded.port(), config.agentName()));
            playground.serverStarted(embedded.url());
            jobLogCapture = playground.captureJobLogs().orElse(null);
        }
        Path copy = copies.copy(config.agentJar());
        effective = effective.withAgentJar(copy);
        LoadedAgent agent = AgentLoader.load(copy, config.agentClass());
        current = agent;
        initial.close();
        daemon = new Daemon(effective, agent, DefaultExecutors.defaultFactory(), CpuLoadMonitor.detect(),
                Clock.system());
        daemon.start();
        if (playground != null) {
            // before any offer: offers come only after the registration this task precedes
            daemon.query(worker -> {
                worker.addJobListener(playground.journal());
                return null;
            });
            String page = playgroundUrl(embedded.port());
            log.info("playground: {}", page);
            System.err.println("playground: " + page); // whatever the log level and format
        }
        runFiles = new RunFiles(Daemon.pidFile(config));
        runFiles.writeStarted(ProcessHandle.current().pid(), config.healthHost(), daemon.healthPort(),
                System.currentTimeMillis());
        log.info("health server on port {}", daemon.healthPort());
        if (options.dispatchRoom() != null) {
            dispatchWhenRegistered(options.dispatchRoom());
        }
        watcher = new AgentWatcher(config.agentJar(), options.watch(), options.debounce(), this::reload).start();
    }

    /** The playground page's address (the embedded server's loopback port). */
    public static String playgroundUrl(int port) {
        return "http://127.0.0.1:" + port + "/";
    }

    /** The playground, or null when a URL was configured (no embedded server). */
    public Playground playground() {
        return playground;
    }

    /** A dispatch command line that reaches the embedded server as printed, whatever the shell exports. */
    static String dispatchHint(int port, String agentName) {
        return "lk-worker dispatch --url http://127.0.0.1:" + port + " --room my-room"
                + (agentName.isEmpty() ? "" : " --agent-name " + agentName);
    }

    private void dispatchWhenRegistered(String room) {
        if (embedded == null) {
            log.warn("--dispatch-room works with the embedded server only; use lk-worker dispatch for {}", config.url());
            return;
        }
        Thread t = new Thread(() -> {
            try {
                embedded.awaitWorker(REGISTER_WAIT);
                var dispatch = embedded.createDispatch(room, config.agentName(), options.dispatchMetadata());
                log.info("dispatched agent '{}' to room {} ({})", config.agentName(), room, dispatch.getId());
            } catch (RuntimeException e) {
                log.warn("could not dispatch to room {}: {}", room, e.getMessage());
            }
        }, "lk-dev-dispatch");
        t.setDaemon(true);
        t.start();
    }

    /** Called on the watcher thread after a burst of changes. */
    private void reload(Set<Path> changed) {
        long start = System.nanoTime();
        String what = changed.stream().map(p -> p.getFileName().toString()).sorted().limit(5)
                .collect(Collectors.joining(", ")) + (changed.size() > 5 ? ", ..." : "");
        LoadedAgent next;
        Path copy = null;
        try {
            copy = copies.copy(config.agentJar());
            next = AgentLoader.load(copy, config.agentClass());
        } catch (AgentLoadException | IOException e) {
            String why = copy == null ? e.getMessage()
                    : e.getMessage().replace(copy.toString(), config.agentJar().toString());
            log.error("reload skipped, the previous code keeps serving: {}", why);
            return;
        }
        int gen = reloads.incrementAndGet();
        daemon.reload(next, options.restartJobs() ? new TokenResigner(config.apiSecret(), System::currentTimeMillis)
                : null);
        releaseOlderThan(next);
        log.info("reload #{} of {} ({} changed): agent {} loaded in {} ms", gen, config.agentJar().getFileName(),
                what, next.className(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Bounds what reloads leave behind: the daemon's class loader of two generations ago is closed
     * (the previous one may still be answering an offer it was asked before the reload), and copies
     * no job runs from any more are deleted.
     */
    private void releaseOlderThan(LoadedAgent next) {
        LoadedAgent old = previous;
        previous = current;
        current = next;
        if (old != null && old != previous && old != current) {
            try {
                old.close();
            } catch (IOException e) {
                log.debug("closing the class loader of {} failed", old.jar(), e);
            }
        }
        try {
            copies.prune(current.jar(), previous == null ? null : previous.jar());
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete old agent copies in {}: {}", config.runDir().resolve("agents"), e.toString());
        }
    }

    /** Reloads that went through (a broken jar does not count). */
    public int reloads() {
        return reloads.get();
    }

    /** The embedded server, or null when a URL was configured. */
    public LocalLiveKitServer embeddedServer() {
        return embedded;
    }

    /** The running daemon (tests). */
    public Daemon daemon() {
        return daemon;
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("watcher close failed", e);
            }
        }
        if (daemon != null) {
            daemon.close();
        }
        if (embedded != null) {
            embedded.close();
        }
        if (jobLogCapture != null) {
            try {
                jobLogCapture.close();
            } catch (Exception e) {
                log.debug("detaching the playground's log capture failed", e);
            }
        }
    }
}
