package io.lkworker.dev.playground;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.lkworker.localserver.http.HttpExchange;
import io.lkworker.localserver.http.HttpResponses;
import io.lkworker.localserver.http.Route;
import io.lkworker.serverlink.AccessToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lk-worker dev}'s playground: a page on the embedded server's port where a developer talks
 * to the agent with LiveKit's own JavaScript client ({@code livekit-client}) and watches its job.
 * This class gives the server its routes ({@code LocalLiveKitServer}'s extra routes, so the server
 * itself knows nothing of the worker):
 * <ul>
 * <li>{@code GET /}: the page to a browser ({@code Accept: text/html}); {@code OK} to anything else,
 *     as the real server's health check answers;</li>
 * <li>{@code /playground/playground.js}, {@code .css}: the page's script and style, from the jar;</li>
 * <li>{@code /playground/livekit-client.umd.js}: the local copy given with {@code --playground-client-js}
 *     (without it the page loads the pinned version from jsDelivr with its SRI hash);</li>
 * <li>{@code POST /playground/api/token} {@code {"room": "..."}}: a participant token for that room (a
 *     new room when empty) and the server URL, so the page itself holds no secret;</li>
 * <li>{@code GET /playground/api/events?room=...}: the jobs' stages and log lines, as server-sent events
 *     ({@link JobEventStream}).</li>
 * </ul>
 * Everything is refused (403) unless the request names the server by a loopback {@code Host} (the
 * server binds loopback; this also stops DNS-rebinding pages from fetching a token). Tokens are never
 * logged.
 */
public final class Playground {

    private static final Logger log = LoggerFactory.getLogger(Playground.class);
    private static final Gson GSON = new Gson();

    /** The livekit-client the page loads by default: the version the interop tests run (src/test/js/package.json). */
    public static final String CLIENT_VERSION = "2.23.0";
    public static final String CDN_URL =
            "https://cdn.jsdelivr.net/npm/livekit-client@" + CLIENT_VERSION + "/dist/livekit-client.umd.js";
    /**
     * Subresource integrity of {@link #CDN_URL}: sha384 of the package's {@code dist/livekit-client.umd.js}
     * (jsDelivr serves the npm tarball's file unchanged), computed from the npm-installed copy with
     * {@code openssl dgst -sha384 -binary livekit-client.umd.js | openssl base64 -A};
     * {@code PlaygroundTest} recomputes it from {@code src/test/js/node_modules} when present.
     */
    public static final String CDN_INTEGRITY = "sha384-HkA7rQNo8H04l1p4zoXX1Cy+h9YoYp8LvKt4vfMFhv4KFk07UkrNwIUnyBum8Pw6";
    static final String LOCAL_CLIENT_PATH = "/playground/livekit-client.umd.js";
    /** Long enough for a development session; the page asks again for every join. */
    static final Duration TOKEN_TTL = Duration.ofHours(6);
    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final String RESOURCES = "/io/lkworker/dev/playground/";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * @param clientJs  a local livekit-client UMD bundle to serve instead of the CDN's, or null
     * @param apiKey    the embedded server's API key (signs the page's tokens)
     * @param apiSecret its secret; never leaves the daemon
     * @param agentName the worker's agent name: a named agent is dispatched through the token's room
     *                  configuration (LiveKit dispatches only unnamed agents to every new room)
     */
    public record Options(Path clientJs, String apiKey, String apiSecret, String agentName) {
    }

    private final Options options;
    private final JobJournal journal = new JobJournal();
    private final LongSupplier clock;
    private volatile String serverUrl;

    public Playground(Options options) {
        this(options, System::currentTimeMillis);
    }

    Playground(Options options, LongSupplier clock) {
        this.options = options;
        this.clock = clock;
    }

    /** Where the jobs' stages and lines go: register it with the worker ({@code Worker.addJobListener}). */
    public JobJournal journal() {
        return journal;
    }

    /** Starts copying job log lines into the journal; close the result to stop. Empty without logback. */
    public Optional<AutoCloseable> captureJobLogs() {
        return JobLogAppender.attach(journal);
    }

    /** Called once the server listens: the {@code ws://} URL the page's client connects to. */
    public void serverStarted(String url) {
        this.serverUrl = url;
    }

    /** The routes to hand to the embedded server. */
    public List<Route> routes() {
        return List.of(
                Route.exact("/", this::root),
                Route.prefix("/playground/", this::playground));
    }

    private void root(HttpExchange ex) throws IOException {
        boolean browser = ex.request().header("Accept").map(a -> a.contains("text/html")).orElse(false);
        if (!browser || !"GET".equals(ex.request().method())) {
            HttpResponses.text(ex.out(), 200, "OK"); // the real server's health check
            return;
        }
        if (!loopbackHost(ex)) {
            return;
        }
        String script = options.clientJs() != null
                ? "<script src=\"" + LOCAL_CLIENT_PATH + "\"></script>"
                : "<script src=\"" + CDN_URL + "\" integrity=\"" + CDN_INTEGRITY + "\" crossorigin=\"anonymous\"></script>";
        String html = resource("index.html").replace("<!-- LIVEKIT_CLIENT -->", script)
                .replace("{{CLIENT_SOURCE}}", options.clientJs() != null ? "a local copy (--playground-client-js)" : CDN_URL);
        HttpResponses.write(ex.out(), 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    private void playground(HttpExchange ex) throws IOException {
        if (!loopbackHost(ex)) {
            return;
        }
        String path = ex.path();
        String method = ex.request().method();
        switch (path) {
            case "/playground/playground.js" -> HttpResponses.write(ex.out(), 200, "text/javascript; charset=utf-8",
                    resource("playground.js").getBytes(StandardCharsets.UTF_8));
            case "/playground/playground.css" -> HttpResponses.write(ex.out(), 200, "text/css; charset=utf-8",
                    resource("playground.css").getBytes(StandardCharsets.UTF_8));
            case LOCAL_CLIENT_PATH -> localClient(ex);
            case "/playground/api/token" -> {
                if (!"POST".equals(method)) {
                    HttpResponses.text(ex.out(), 405, "POST only\n");
                } else {
                    token(ex);
                }
            }
            case "/playground/api/events" -> JobEventStream.serve(ex, journal);
            default -> HttpResponses.text(ex.out(), 404, "404 page not found\n");
        }
    }

    private void localClient(HttpExchange ex) throws IOException {
        Path file = options.clientJs();
        if (file == null) {
            HttpResponses.text(ex.out(), 404, "no --playground-client-js given: the page loads " + CDN_URL + "\n");
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            log.warn("--playground-client-js: cannot read {}: {}", file, e.toString());
            HttpResponses.text(ex.out(), 404, "cannot read the --playground-client-js file\n");
            return;
        }
        HttpResponses.write(ex.out(), 200, "text/javascript; charset=utf-8", bytes);
    }

    /**
     * {@code {"room": "name" | "", "identity": "..."?}} → {@code {"url", "token", "room", "identity"}}.
     * Only a JSON body is accepted: a cross-origin page cannot send one without a CORS preflight, which
     * this server never grants.
     */
    private void token(HttpExchange ex) throws IOException {
        boolean json = ex.request().header("Content-Type").map(t -> t.toLowerCase(Locale.ROOT)
                .startsWith("application/json")).orElse(false);
        if (!json) {
            HttpResponses.text(ex.out(), 415, "send a JSON body (Content-Type: application/json)\n");
            return;
        }
        JsonObject body;
        try {
            String text = new String(ex.request().body(), StandardCharsets.UTF_8);
            body = text.isBlank() ? new JsonObject() : GSON.fromJson(text, JsonObject.class);
            if (body == null) {
                body = new JsonObject();
            }
        } catch (JsonParseException | ClassCastException e) {
            HttpResponses.text(ex.out(), 400, "malformed JSON\n");
            return;
        }
        String room = string(body, "room").trim();
        if (room.isEmpty()) {
            room = "playground-" + hex(3);
        } else if (!ROOM_NAME.matcher(room).matches()) {
            HttpResponses.text(ex.out(), 400, "room: 1 to 64 letters, digits, '.', '_' or '-'\n");
            return;
        }
        String identity = string(body, "identity").trim();
        if (identity.isEmpty() || !ROOM_NAME.matcher(identity).matches()) {
            identity = "developer-" + hex(2);
        }
        String url = serverUrl;
        if (url == null) {
            HttpResponses.text(ex.out(), 503, "the server is starting\n");
            return;
        }
        JsonObject answer = new JsonObject();
        answer.addProperty("url", url);
        answer.addProperty("token", mint(room, identity));
        answer.addProperty("room", room);
        answer.addProperty("identity", identity);
        answer.addProperty("agentName", options.agentName());
        // the room and identity only: the token never reaches a log
        log.info("playground: token for '{}' in room {}", identity, room);
        HttpResponses.write(ex.out(), 200, HttpResponses.JSON, answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A participant token for {@code room}; a named agent is asked for in the token's room configuration. */
    String mint(String room, String identity) {
        long now = clock.getAsLong() / 1000;
        JsonObject claims = new JsonObject();
        claims.addProperty("iss", options.apiKey());
        claims.addProperty("nbf", now);
        claims.addProperty("exp", now + TOKEN_TTL.toSeconds());
        claims.addProperty("sub", identity);
        claims.addProperty("name", "Developer (playground)");
        JsonObject video = new JsonObject();
        video.addProperty("roomJoin", true);
        video.addProperty("room", room);
        video.addProperty("canPublish", true);
        video.addProperty("canSubscribe", true);
        video.addProperty("canPublishData", true);
        video.addProperty("canUpdateOwnMetadata", true);
        claims.add("video", video);
        if (options.agentName() != null && !options.agentName().isEmpty()) {
            JsonObject agent = new JsonObject();
            agent.addProperty("agentName", options.agentName());
            JsonArray agents = new JsonArray();
            agents.add(agent);
            JsonObject roomConfig = new JsonObject();
            roomConfig.add("agents", agents);
            claims.add("roomConfig", roomConfig);
        }
        return AccessToken.sign(claims, options.apiSecret());
    }

    /**
     * True when the request's Host names this machine by loopback ({@code 127.0.0.1}, {@code [::1]},
     * {@code localhost}); otherwise answers 403 and returns false.
     */
    static boolean loopbackHost(HttpExchange ex) throws IOException {
        String host = ex.request().header("Host").orElse("");
        if (isLoopbackHost(host)) {
            return true;
        }
        HttpResponses.text(ex.out(), 403, "the playground answers loopback addresses only (127.0.0.1, localhost)\n");
        return false;
    }

    static boolean isLoopbackHost(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        String name;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            name = end < 0 ? h : h.substring(0, end + 1);
        } else {
            int colon = h.indexOf(':');
            name = colon < 0 ? h : h.substring(0, colon);
        }
        return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : "";
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String resource(String name) {
        try (InputStream in = Playground.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("playground resource missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
