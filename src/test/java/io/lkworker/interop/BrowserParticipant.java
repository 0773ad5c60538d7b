package io.lkworker.interop;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A participant run by LiveKit's own JavaScript client ({@code livekit-client} from
 * {@code src/test/js/node_modules}) in Debian's headless Chromium, for tests against the embedded server.
 *
 * <p>It serves the page {@code src/test/js/browser/interop.html} and the SDK's UMD bundle from a small
 * HTTP server of its own on loopback, starts Chromium at the page with the room's URL and token, and
 * collects what the page posts back: its console lines (into this class's log), milestones
 * ({@link #awaitEvent}) and the final {@link BrowserReport}. Chromium's microphone is its fake capture
 * device playing {@code Options.microphoneWav} in a loop. {@link #close()} kills Chromium and its whole
 * process tree and removes its profile.
 */
final class BrowserParticipant implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrowserParticipant.class);
    private static final Gson GSON = new Gson();

    /**
     * @param serverUrl     the LiveKit server, {@code ws://host:port}
     * @param token         the browser participant's access token
     * @param peerIdentity  whom the page listens to and exchanges data with
     * @param microphoneWav what Chromium's fake microphone plays (16-bit PCM WAV), looped
     * @param stepTimeout   bound of each wait in the page (a peer, a track, sound, an echo)
     */
    record Options(String serverUrl, String token, String peerIdentity, Path microphoneWav, Duration stepTimeout,
            String page, Map<String, String> query) {

        /** The echo page, {@code interop.html}. */
        Options(String serverUrl, String token, String peerIdentity, Path microphoneWav, Duration stepTimeout) {
            this(serverUrl, token, peerIdentity, microphoneWav, stepTimeout, "interop", Map.of());
        }

        /**
         * Another page of {@code src/test/js/browser}: {@code page} names {@code page.html} (which loads
         * {@code page.js} and {@code /livekit-client.umd.js}); {@code query} adds parameters to its URL.
         */
        Options withPage(String page, Map<String, String> query) {
            return new Options(serverUrl, token, peerIdentity, microphoneWav, stepTimeout, page, Map.copyOf(query));
        }
    }

    private final HttpServer http;
    private final Path profile;
    private final List<String> console = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<JsonObject>> events = new ConcurrentHashMap<>();
    private final CompletableFuture<BrowserReport> report = new CompletableFuture<>();
    private final CompletableFuture<JsonObject> rawReport = new CompletableFuture<>();
    private volatile Process chromium;
    private volatile List<ProcessHandle> tree = List.of();

    private BrowserParticipant(HttpServer http, Path profile) {
        this.http = http;
        this.profile = profile;
    }

    /** Serves the page and starts Chromium at it; the page starts joining at once. */
    static BrowserParticipant launch(Options options) throws IOException {
        InteropEnvironment.assumeNpmPackage("livekit-client");
        InteropEnvironment.assumeChromium();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "browser-page-http");
            t.setDaemon(true);
            return t;
        }));
        BrowserParticipant b = new BrowserParticipant(http, Files.createTempDirectory("lkw-chromium-"));
        try {
            b.serve();
            b.start(options);
            return b;
        } catch (IOException | RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void serve() {
        Path page = InteropEnvironment.jsDir().resolve("browser");
        Path umd = InteropEnvironment.nodeModules().resolve("livekit-client/dist/livekit-client.umd.js");
        // every page and script of src/test/js/browser, by file name (no sub-directories)
        http.createContext("/page/", ex -> {
            String name = ex.getRequestURI().getPath().substring("/page/".length());
            Path f = page.resolve(name).normalize();
            if (name.contains("/") || !f.startsWith(page) || !Files.isRegularFile(f)) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            file(ex, f, name.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8");
        });
        http.createContext("/interop.html", ex -> file(ex, page.resolve("interop.html"), "text/html; charset=utf-8"));
        http.createContext("/interop.js", ex -> file(ex, page.resolve("interop.js"), "text/javascript; charset=utf-8"));
        http.createContext("/livekit-client.umd.js", ex -> file(ex, umd, "text/javascript; charset=utf-8"));
        http.createContext("/log", ex -> {
            JsonObject line = body(ex);
            String text = "[" + str(line, "level") + " +" + str(line, "t") + "ms] " + str(line, "text");
            console.add(text);
            log.info("browser console {}", text);
        });
        http.createContext("/event", ex -> {
            JsonObject e = body(ex);
            String name = str(e, "name");
            log.info("browser event {} {}", name, e.get("detail"));
            events.computeIfAbsent(name, n -> new CompletableFuture<>()).complete(e);
        });
        http.createContext("/report", ex -> {
            JsonObject r = body(ex);
            log.info("browser report {}", r);
            rawReport.complete(r);
            try {
                report.complete(GSON.fromJson(r, BrowserReport.class));
            } catch (RuntimeException e) {
                report.completeExceptionally(e); // another page's report: read it with awaitJsonReport
            }
        });
        http.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        http.start();
    }

    private void start(Options o) throws IOException {
        String path = o.page().equals("interop") ? "/interop.html" : "/page/" + o.page() + ".html";
        StringBuilder pageUrl = new StringBuilder("http://127.0.0.1:" + http.getAddress().getPort() + path
                + "?url=" + enc(o.serverUrl()) + "&token=" + enc(o.token()) + "&peer=" + enc(o.peerIdentity())
                + "&timeoutMs=" + o.stepTimeout().toMillis());
        o.query().forEach((k, v) -> pageUrl.append('&').append(enc(k)).append('=').append(enc(v)));
        List<String> cmd = new ArrayList<>(List.of(
                InteropEnvironment.chromium().toString(),
                "--headless=new",
                "--no-sandbox",                       // root on CI
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",    // no calls home: the machine's network is closed
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--disable-breakpad",
                "--password-store=basic",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream",     // grant the microphone without asking
                "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + o.microphoneWav().toAbsolutePath(), // looped
                // real host candidates, not mDNS names (the embedded server resolves none)
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--enable-logging=stderr",
                "--v=0",
                pageUrl.toString()));
        log.info("starting {} at {}", cmd.get(0), pageUrl.toString().replaceAll("token=[^&]*", "token=..."));
        chromium = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(chromium.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    // D-Bus complaints (no session or system bus on a build machine) are noise, not diagnosis
                    if (!line.contains("dbus") && !line.contains("D-Bus")) {
                        log.info("chromium: {}", line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "chromium-output");
        pump.setDaemon(true);
        pump.start();
        chromium.onExit().thenAccept(p -> {
            IllegalStateException gone = new IllegalStateException("chromium exited with " + p.exitValue()
                    + " before the page reported");
            report.completeExceptionally(gone);
            rawReport.completeExceptionally(gone);
        });
    }

    /** Milestones the page posts: connected, published, peer, heard, disconnected. */
    JsonObject awaitEvent(String name, Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return events.computeIfAbsent(name, n -> new CompletableFuture<>()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("the page posted no '" + name + "' within " + timeout + "; console:\n"
                    + String.join("\n", console));
        }
    }

    /** The page's final report; a timeout or Chromium's exit fails with the console so far. */
    BrowserReport awaitReport(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return report.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage() + "; console:\n" + String.join("\n", console), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("the page did not report within " + timeout + "; console:\n" + String.join("\n", console));
        }
    }

    /** The page's final report as the JSON it posted, for pages whose report is not a {@link BrowserReport}. */
    JsonObject awaitJsonReport(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return rawReport.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage() + "; console:\n" + String.join("\n", console), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("the page did not report within " + timeout + "; console:\n" + String.join("\n", console));
        }
    }

    List<String> console() {
        return List.copyOf(console);
    }

    /** Kills Chromium and every process it started, stops the page server and removes the profile. */
    @Override
    public void close() {
        Process p = chromium;
        if (p != null) {
            tree = killTree(p);
        }
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        deleteTree(profile);
    }

    /** The Chromium processes {@link #close()} killed (for checks that none survived). */
    List<ProcessHandle> killedProcesses() {
        return tree;
    }

    private static void file(HttpExchange ex, Path file, String type) throws IOException {
        try (ex) {
            if (!Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] bytes = Files.readAllBytes(file);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static JsonObject body(HttpExchange ex) throws IOException {
        try (ex) {
            String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.sendResponseHeaders(204, -1);
            return GSON.fromJson(text, JsonObject.class);
        }
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Kills {@code chromium} and every process it started, waiting up to 5 s for each; the processes
     * of the tree, taken before the parent dies and its children are re-parented. Shared with
     * {@link ChromiumPage}.
     */
    static List<ProcessHandle> killTree(Process chromium) {
        List<ProcessHandle> all = new ArrayList<>(chromium.descendants().toList());
        all.add(chromium.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                log.warn("chromium process {} did not exit: {}", h.pid(), e.toString());
            }
        }
        return all;
    }

    /** Removes a browser profile directory, logging (not failing on) what cannot be deleted. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
