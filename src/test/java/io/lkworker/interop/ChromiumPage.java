package io.lkworker.interop;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's headless Chromium at a page served by someone else (the playground, served by
 * {@code lk-worker dev}), with the same flags as {@link BrowserParticipant} (fake microphone playing a
 * WAV file, no calls home). The page reports to a small loopback server of this class: {@code /log}
 * (console lines), {@code /event} (milestones) and {@code /report} (JSON), whose base URL the test puts
 * in the page's address ({@link #reportBase()}). Optionally screenshots the page through the DevTools
 * protocol. {@link #close()} kills Chromium's whole process tree.
 */
final class ChromiumPage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChromiumPage.class);
    private static final Gson GSON = new Gson();

    private final HttpServer http;
    private final Path profile;
    private final List<String> console = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<JsonObject>> events = new ConcurrentHashMap<>();
    private final CompletableFuture<JsonObject> report = new CompletableFuture<>();
    private Process chromium;

    private ChromiumPage() throws IOException {
        this.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        this.profile = Files.createTempDirectory("lkw-chromium-");
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "chromium-page-reports");
            t.setDaemon(true);
            return t;
        }));
        http.createContext("/log", ex -> {
            JsonObject line = body(ex);
            String text = "[" + str(line, "level") + " +" + str(line, "t") + "ms] " + str(line, "text");
            console.add(text);
            log.info("browser console {}", text);
        });
        http.createContext("/event", ex -> {
            JsonObject e = body(ex);
            log.info("browser event {} {}", str(e, "name"), e.get("detail"));
            events.computeIfAbsent(str(e, "name"), n -> new CompletableFuture<>()).complete(e);
        });
        http.createContext("/report", ex -> {
            JsonObject r = body(ex);
            log.info("browser report {}", r);
            report.complete(r);
        });
        http.start();
    }

    /** Where the page posts: {@code http://127.0.0.1:PORT}. */
    String reportBase() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    static ChromiumPage create() throws IOException {
        InteropEnvironment.assumeChromium();
        return new ChromiumPage();
    }

    /** Starts Chromium at {@code url} ({@code --window-size=1280,900}, DevTools on an ephemeral loopback port). */
    void open(String url, Path microphoneWav) throws IOException {
        open(url, microphoneWav, List.of());
    }

    /** The same with {@code extraFlags} before the URL (e.g. {@code --host-resolver-rules=...}). */
    void open(String url, Path microphoneWav, List<String> extraFlags) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                InteropEnvironment.chromium().toString(),
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-breakpad", "--password-store=basic",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + microphoneWav.toAbsolutePath(),
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--window-size=1280,900", "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(extraFlags);
        cmd.add(url);
        log.info("starting {} at {}", cmd.get(0), url);
        chromium = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(chromium.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
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
        chromium.onExit().thenAccept(p -> report.completeExceptionally(
                new IllegalStateException("chromium exited with " + p.exitValue() + " before the page reported")));
    }

    JsonObject awaitReport(Duration timeout) throws InterruptedException, TimeoutException {
        return await(report, "a report", timeout);
    }

    JsonObject awaitEvent(String name, Duration timeout) throws InterruptedException, TimeoutException {
        return await(events.computeIfAbsent(name, n -> new CompletableFuture<>()), "the event '" + name + "'", timeout);
    }

    private JsonObject await(CompletableFuture<JsonObject> f, String what, Duration timeout)
            throws InterruptedException, TimeoutException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage() + "; console:\n" + String.join("\n", console), e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("the page posted no " + what + " within " + timeout + "; console:\n"
                    + String.join("\n", console));
        }
    }

    /**
     * A PNG of the page as it is now, through the DevTools protocol ({@code Page.captureScreenshot}):
     * Chromium writes its DevTools port to {@code DevToolsActivePort} in the profile. Call it after the
     * page reported.
     */
    byte[] screenshot(Duration timeout) throws Exception {
        // written at start-up, long before any page reports: called after a report, it is there
        Path portFile = profile.resolve("DevToolsActivePort");
        if (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
            throw new IllegalStateException("Chromium wrote no " + portFile);
        }
        int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
        HttpClient client = HttpClient.newHttpClient();
        String list = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString()).body();
        String ws = null;
        for (JsonElement target : GSON.fromJson(list, JsonArray.class)) {
            JsonObject t = target.getAsJsonObject();
            if ("page".equals(str(t, "type"))) {
                ws = str(t, "webSocketDebuggerUrl");
                break;
            }
        }
        if (ws == null) {
            throw new IllegalStateException("no page target in " + list);
        }
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    JsonObject m = GSON.fromJson(text.toString(), JsonObject.class);
                    text.setLength(0);
                    if (m.has("id") && m.get("id").getAsInt() == 1) {
                        answer.complete(m);
                    }
                }
                webSocket.request(1);
                return null;
            }
        }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            socket.sendText("{\"id\":1,\"method\":\"Page.captureScreenshot\",\"params\":{\"format\":\"png\"}}", true);
            JsonObject m = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Base64.getDecoder().decode(m.getAsJsonObject("result").get("data").getAsString());
        } finally {
            socket.abort();
        }
    }

    List<String> console() {
        return List.copyOf(console);
    }

    @Override
    public void close() {
        Process p = chromium;
        if (p != null) {
            BrowserParticipant.killTree(p);
        }
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        BrowserParticipant.deleteTree(profile);
    }

    private static JsonObject body(HttpExchange ex) throws IOException {
        try (ex) {
            String text = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
            ex.sendResponseHeaders(204, -1);
            return GSON.fromJson(text, JsonObject.class);
        }
    }

    private static String str(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "";
    }
}
