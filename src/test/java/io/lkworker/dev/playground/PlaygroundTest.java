package io.lkworker.dev.playground;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.lkworker.localserver.LocalLiveKitServer;
import io.lkworker.localserver.ServerConfig;
import io.lkworker.serverlink.AccessToken;
import io.lkworker.worker.JobLifecycleListener;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The playground's routes on a real embedded server over loopback HTTP: the page and the health check
 * sharing {@code /}, the loopback-only rule, the token endpoint, and the job event stream (SSE).
 */
class PlaygroundTest {

    private static final Gson GSON = new Gson();
    /** Bound of every read: a missing event fails the test instead of hanging it. */
    private static final int READ_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;
    private LocalLiveKitServer server;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Playground start(Path clientJs, String agentName) throws IOException {
        Playground playground = new Playground(new Playground.Options(clientJs, ServerConfig.DEFAULT_API_KEY,
                ServerConfig.DEFAULT_API_SECRET, agentName));
        server = LocalLiveKitServer.create(ServerConfig.builder().port(0)
                .apiKey(ServerConfig.DEFAULT_API_KEY, ServerConfig.DEFAULT_API_SECRET).build(), playground.routes()).start();
        playground.serverStarted(server.url());
        return playground;
    }

    @Test
    void slashIsThePageForBrowsersAndTheHealthCheckForEveryoneElse() throws Exception {
        start(null, "");
        Response page = request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html,*/*\r\n\r\n");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).startsWith("text/html");
        assertThat(page.body()).contains("<script src=\"" + Playground.CDN_URL + "\" integrity=\""
                + Playground.CDN_INTEGRITY + "\" crossorigin=\"anonymous\"></script>")
                .contains("/playground/playground.js").doesNotContain("<!-- LIVEKIT_CLIENT -->");
        Response health = request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK");
        assertThat(request("GET /playground/playground.js HTTP/1.1\r\nHost: localhost\r\n\r\n").body())
                .contains("registerTextStreamHandler('lk.transcription'");
        assertThat(request("GET /playground/playground.css HTTP/1.1\r\nHost: [::1]:7880\r\n\r\n").status()).isEqualTo(200);
        assertThat(request("GET /playground/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status()).isEqualTo(404);
        // no local copy configured: nothing at its path
        assertThat(request("GET /playground/livekit-client.umd.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status())
                .isEqualTo(404);
    }

    @Test
    void otherHostNamesAreRefused() throws Exception {
        start(null, "");
        // a DNS-rebinding page reaches 127.0.0.1 under its own name: no page, no token
        assertThat(request("GET / HTTP/1.1\r\nHost: evil.example:7880\r\nAccept: text/html\r\n\r\n").status()).isEqualTo(403);
        assertThat(tokenRequest("evil.example", "application/json", "{}").status()).isEqualTo(403);
        assertThat(request("GET /playground/api/events HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\n\r\n").status())
                .isEqualTo(403);
    }

    @Test
    void aLocalClientCopyIsServedAndNamedByThePage() throws Exception {
        Path copy = Files.writeString(dir.resolve("livekit-client.umd.js"), "window.LivekitClient = {version: 'local'};");
        start(copy, "");
        assertThat(request("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n").body())
                .contains("<script src=\"/playground/livekit-client.umd.js\"></script>").doesNotContain("jsdelivr.net/npm");
        Response js = request("GET /playground/livekit-client.umd.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.body()).isEqualTo("window.LivekitClient = {version: 'local'};");
    }

    @Test
    void theTokenEndpointMintsAParticipantTokenForTheRoom() throws Exception {
        start(null, "my-agent");
        Response r = tokenRequest("127.0.0.1", "application/json", "{\"room\":\"demo-1\"}");
        assertThat(r.status()).isEqualTo(200);
        JsonObject answer = GSON.fromJson(r.body(), JsonObject.class);
        assertThat(answer.get("url").getAsString()).isEqualTo(server.url());
        assertThat(answer.get("room").getAsString()).isEqualTo("demo-1");
        JsonObject claims = AccessToken.verify(answer.get("token").getAsString(), ServerConfig.DEFAULT_API_SECRET,
                System.currentTimeMillis());
        assertThat(claims.get("sub").getAsString()).isEqualTo(answer.get("identity").getAsString()).startsWith("developer-");
        JsonObject video = claims.getAsJsonObject("video");
        assertThat(video.get("room").getAsString()).isEqualTo("demo-1");
        assertThat(video.get("roomJoin").getAsBoolean()).isTrue();
        assertThat(video.get("canPublishData").getAsBoolean()).isTrue();
        // a named agent is dispatched through the token's room configuration
        assertThat(claims.getAsJsonObject("roomConfig").getAsJsonArray("agents").get(0).getAsJsonObject()
                .get("agentName").getAsString()).isEqualTo("my-agent");

        JsonObject fresh = GSON.fromJson(tokenRequest("127.0.0.1", "application/json", "{}").body(), JsonObject.class);
        assertThat(fresh.get("room").getAsString()).startsWith("playground-");

        assertThat(tokenRequest("127.0.0.1", "text/plain", "{}").status()).as("a form post from another page").isEqualTo(415);
        assertThat(tokenRequest("127.0.0.1", "application/json", "{\"room\":\"../x y\"}").status()).isEqualTo(400);
        assertThat(tokenRequest("127.0.0.1", "application/json", "{nope").status()).isEqualTo(400);
        assertThat(request("GET /playground/api/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status()).isEqualTo(405);
    }

    @Test
    void theEventStreamSendsTheBacklogThenNewEntriesOfItsRoomOnly() throws Exception {
        Playground playground = start(null, "");
        JobJournal journal = playground.journal();
        journal.onJobEvent(new JobLifecycleListener.Event("AJ_1", "room-a", JobLifecycleListener.Stage.OFFERED, 1000, "agent ''"));
        journal.onJobEvent(new JobLifecycleListener.Event("AJ_2", "room-b", JobLifecycleListener.Stage.OFFERED, 1001, ""));
        // the decline knows no room: the journal gives it the job's
        journal.onJobEvent(new JobLifecycleListener.Event("AJ_1", "", JobLifecycleListener.Stage.ACCEPTED, 1002, "as agent-AJ_1"));

        try (Socket s = open()) {
            s.getOutputStream().write("GET /playground/api/events?room=room-a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            List<String> head = readUntilBlank(in);
            assertThat(head).contains("Content-Type: text/event-stream; charset=utf-8");
            assertThat(readUntilBlank(in)).containsExactly("retry: 1000");

            JsonObject offered = event(in);
            assertThat(offered.get("stage").getAsString()).isEqualTo("offered");
            assertThat(offered.get("jobId").getAsString()).isEqualTo("AJ_1");
            JsonObject accepted = event(in);
            assertThat(accepted.get("stage").getAsString()).isEqualTo("accepted");
            assertThat(accepted.get("room").getAsString()).isEqualTo("room-a");

            // live: another room's entry is not sent, this room's are, log lines included
            journal.onJobEvent(new JobLifecycleListener.Event("AJ_2", "room-b", JobLifecycleListener.Stage.RUNNING, 1003, ""));
            journal.onJobEvent(new JobLifecycleListener.Event("AJ_1", "room-a", JobLifecycleListener.Stage.RUNNING, 1004, "pid 7"));
            journal.logLine("AJ_1", "room-a", 1005, "INFO", "example.EchoAgent", "joined room-a\nas agent");
            JsonObject running = event(in);
            assertThat(running.get("stage").getAsString()).isEqualTo("running");
            assertThat(running.get("jobId").getAsString()).isEqualTo("AJ_1");
            assertThat(running.get("detail").getAsString()).isEqualTo("pid 7");
            JsonObject line = event(in);
            assertThat(line.get("type").getAsString()).isEqualTo("log");
            assertThat(line.get("message").getAsString()).isEqualTo("joined room-a\nas agent");
            assertThat(line.get("logger").getAsString()).isEqualTo("example.EchoAgent");
        }
    }

    @Test
    void aReconnectingStreamSkipsWhatThePageHad() throws Exception {
        Playground playground = start(null, "");
        JobJournal journal = playground.journal();
        for (int i = 0; i < 3; i++) {
            journal.logLine("AJ_1", "r", 1000 + i, "INFO", "x", "line " + i);
        }
        try (Socket s = open()) {
            s.getOutputStream().write("GET /playground/api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 2\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            readUntilBlank(in);
            readUntilBlank(in); // retry
            JsonObject first = event(in);
            assertThat(first.get("seq").getAsLong()).isEqualTo(3);
            assertThat(first.get("message").getAsString()).isEqualTo("line 2");
        }
    }

    @Test
    void logRecordsWithAJobIdReachTheJournal() throws Exception {
        Playground playground = start(null, "");
        closing.add(playground.captureJobLogs().orElseThrow());
        JobJournal.Subscriber sub = JobJournal.newSubscriber("room-log");
        playground.journal().subscribe(sub, 0);
        org.slf4j.Logger logger = LoggerFactory.getLogger("example.SomeAgent");
        logger.info("not about a job");
        MDC.put("job_id", "AJ_9");
        MDC.put("room", "room-log");
        try {
            logger.warn("about job {}", "AJ_9", new IllegalStateException("boom"));
        } finally {
            MDC.remove("job_id");
            MDC.remove("room");
        }
        JobJournal.Entry e = sub.queue().poll(READ_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(e).isNotNull();
        assertThat(e.json().get("message").getAsString()).isEqualTo("about job AJ_9 (java.lang.IllegalStateException: boom)");
        assertThat(e.json().get("level").getAsString()).isEqualTo("WARN");
        assertThat(sub.queue()).isEmpty();
    }

    @Test
    void theSriHashIsTheOneOfThePinnedNpmPackage() throws Exception {
        Path umd = Path.of("src", "test", "js", "node_modules", "livekit-client", "dist", "livekit-client.umd.js");
        Path pkg = umd.getParent().getParent().resolve("package.json");
        assumeTrue(Files.isRegularFile(umd), "npm ci in src/test/js first");
        assertThat(GSON.fromJson(Files.readString(pkg), JsonObject.class).get("version").getAsString())
                .isEqualTo(Playground.CLIENT_VERSION);
        String sri = "sha384-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-384")
                .digest(Files.readAllBytes(umd)));
        assertThat(Playground.CDN_INTEGRITY).isEqualTo(sri);
    }

    // ---- raw loopback HTTP (the Host header is ours to choose) ----

    private record Response(int status, List<String> headers, String body) {
        String header(String name) {
            return headers.stream().filter(h -> h.toLowerCase().startsWith(name + ":"))
                    .map(h -> h.substring(h.indexOf(':') + 1).trim()).findFirst().orElse(null);
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private Response tokenRequest(String host, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return request("POST /playground/api/token HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + b.length + "\r\n\r\n" + body);
    }

    /** One request; the server closes the connection after each answer. */
    private Response request(String raw) throws IOException {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, end).split("\r\n");
            return new Response(Integer.parseInt(head[0].split(" ")[1]), List.of(head).subList(1, head.length),
                    text.substring(end + 4));
        }
    }

    private static List<String> readUntilBlank(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
            lines.add(line);
        }
        return lines;
    }

    /** The next {@code job} event's data (comments skipped). */
    private static JsonObject event(BufferedReader in) throws IOException {
        for (;;) {
            List<String> lines = readUntilBlank(in);
            if (lines.stream().anyMatch(l -> l.equals("event: job"))) {
                String data = lines.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
                return GSON.fromJson(data, JsonObject.class);
            }
        }
    }
}
