package io.lkworker.interop;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiveKit's own Node server SDK ({@code livekit-server-sdk}) as a Java test sees it: each call runs
 * {@code node src/test/js/server-sdk.mjs <url> <operation> <args...>} (bounded by a timeout, killed on
 * overrun) and returns the one JSON line the script prints.
 */
final class ServerSdk {

    private static final Logger log = LoggerFactory.getLogger(ServerSdk.class);
    private static final Gson GSON = new Gson();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One answer: {@code result} when the server accepted the call, else the SDK's error. */
    record Answer(boolean ok, JsonElement result, JsonObject error) {

        JsonElement orThrow() {
            if (!ok) {
                throw new AssertionError("the server refused the call: " + error);
            }
            return result;
        }
    }

    private final String url;
    private final String apiKey;
    private final String apiSecret;

    ServerSdk(String url, String apiKey, String apiSecret) {
        this.url = url;
        this.apiKey = apiKey;
        this.apiSecret = apiSecret;
    }

    Answer call(String operation, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(InteropEnvironment.node().toString(),
                InteropEnvironment.jsDir().resolve("server-sdk.mjs").toString(), url, operation));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(InteropEnvironment.jsDir().toFile());
        pb.environment().put("LIVEKIT_API_KEY", apiKey);
        pb.environment().put("LIVEKIT_API_SECRET", apiSecret);
        long started = System.nanoTime();
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node server-sdk.mjs " + operation + " did not finish within " + TIMEOUT);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String stdout = out.join().strip();
        String stderr = err.join().strip();
        log.info("server sdk {} {} -> exit {} in {} ms: {}{}", operation, String.join(" ", args).replaceAll("eyJ\\S+", "<jwt>"),
                p.exitValue(), (System.nanoTime() - started) / 1_000_000, stdout.replaceAll("eyJ[^\"]+", "<jwt>"),
                stderr.isEmpty() ? "" : "\n  stderr: " + stderr);
        if (p.exitValue() != 0) {
            throw new AssertionError("node server-sdk.mjs " + operation + " failed with exit " + p.exitValue() + ": " + stderr);
        }
        String last = stdout.lines().reduce((a, b) -> b).orElse("");
        return GSON.fromJson(last, Answer.class);
    }

    /** Reads the stream to its end on a thread of its own (not a shared pool: both pipes must drain at once). */
    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "server-sdk-output");
        t.setDaemon(true);
        t.start();
        return text;
    }
}
