package io.lkworker.interop;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiveKit's own Node server SDK ({@code livekit-server-sdk}) as a Java test sees it: one
 * {@code node src/test/js/server-sdk.mjs <url> --stdin} process that answers each {@link #call} with
 * one JSON line (bounded by a timeout). {@link #close()} ends it and its children.
 */
final class ServerSdk implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerSdk.class);
    private static final Gson GSON = new Gson();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String EOF = "\u0000eof";

    /** One answer: {@code result} when the server accepted the call, else the SDK's error. */
    record Answer(boolean ok, JsonElement result, JsonObject error) {

        JsonElement orThrow() {
            if (!ok) {
                throw new AssertionError("the call failed: " + error);
            }
            return result;
        }
    }

    private final Process node;
    private final Writer in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    ServerSdk(String url, String apiKey, String apiSecret) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(InteropEnvironment.node().toString(),
                InteropEnvironment.jsDir().resolve("server-sdk.mjs").toString(), url, "--stdin")
                .directory(InteropEnvironment.jsDir().toFile());
        pb.environment().put("LIVEKIT_API_KEY", apiKey);
        pb.environment().put("LIVEKIT_API_SECRET", apiSecret);
        node = pb.start();
        in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        lines(node.getInputStream(), "server-sdk-stdout", answers::add);
        lines(node.getErrorStream(), "server-sdk-stderr", line -> {
            stderr.append(line).append('\n');
            log.info("server sdk stderr: {}", line);
        });
    }

    /** Runs {@code operation} (see server-sdk.mjs) and returns its answer. */
    Answer call(String operation, String... args) throws IOException, InterruptedException {
        JsonArray request = new JsonArray();
        request.add(operation);
        List.of(args).forEach(request::add);
        long started = System.nanoTime();
        in.write(request + "\n");
        in.flush();
        String line = answers.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || line.equals(EOF)) {
            throw new AssertionError("server-sdk.mjs gave no answer to " + operation + (line == null
                    ? " within " + TIMEOUT : " (it exited)") + "; stderr:\n" + stderr);
        }
        log.info("server sdk {} {} -> {} ms: {}", operation, String.join(" ", args).replaceAll("eyJ\\S+", "<jwt>"),
                (System.nanoTime() - started) / 1_000_000, line.replaceAll("eyJ[^\"]+", "<jwt>"));
        Answer answer = GSON.fromJson(line, Answer.class);
        if (!answer.ok() && "ScriptError".equals(answer.error().get("name").getAsString())) {
            throw new AssertionError("server-sdk.mjs failed on " + operation + ": " + answer.error().get("message"));
        }
        return answer;
    }

    @Override
    public void close() {
        try {
            in.close(); // end of input: the script ends
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                log.warn("server-sdk.mjs did not end with its input; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly();
    }

    private static void lines(InputStream stream, String name, Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
            if (name.endsWith("stdout")) {
                sink.accept(EOF);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }
}
