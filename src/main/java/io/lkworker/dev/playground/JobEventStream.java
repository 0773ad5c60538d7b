package io.lkworker.dev.playground;

import io.lkworker.localserver.http.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /playground/api/events[?room=NAME]}: the journal's entries as server-sent events
 * ({@code text/event-stream}; each entry one {@code job} event whose {@code id} is its sequence
 * number, so a reconnecting EventSource's {@code Last-Event-ID} skips what the page already has).
 * First the kept backlog, then entries as they happen. Runs on the connection's own thread, which it
 * keeps for the life of the stream.
 */
final class JobEventStream {

    /**
     * A comment line this often: proxies and browsers keep an idle stream open, and a page that went
     * away is noticed (the write fails) within this time.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** What a reconnecting EventSource waits (the SSE {@code retry} field). */
    static final Duration RETRY = Duration.ofSeconds(1);

    private JobEventStream() {
    }

    static void serve(HttpExchange ex, JobJournal journal) throws IOException {
        if (!"GET".equals(ex.request().method())) {
            io.lkworker.localserver.http.HttpResponses.text(ex.out(), 405, "GET only\n");
            return;
        }
        long after = ex.request().header("Last-Event-ID").or(() -> ex.request().queryParam("after"))
                .map(JobEventStream::parseLong).orElse(0L);
        JobJournal.Subscriber subscriber = JobJournal.newSubscriber(ex.request().queryParam("room").orElse(null));
        OutputStream out = ex.out();
        List<JobJournal.Entry> backlog = journal.subscribe(subscriber, after);
        try {
            out.write(("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: text/event-stream; charset=utf-8\r\n"
                    + "Cache-Control: no-store\r\n"
                    + "Connection: close\r\n\r\n"
                    + "retry: " + RETRY.toMillis() + "\n\n").getBytes(StandardCharsets.ISO_8859_1));
            for (JobJournal.Entry e : backlog) {
                write(out, e);
            }
            out.flush();
            while (!subscriber.overflowed()) {
                JobJournal.Entry e = subscriber.queue().poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                if (e == null) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    write(out, e);
                    // send what else is already waiting in the same flush
                    for (JobJournal.Entry more; (more = subscriber.queue().poll()) != null; ) {
                        write(out, more);
                    }
                }
                out.flush();
            }
            // fell too far behind: end the stream; the EventSource reconnects and catches up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            journal.unsubscribe(subscriber);
        }
    }

    private static void write(OutputStream out, JobJournal.Entry e) throws IOException {
        // JSON has no raw newlines (Gson escapes them), so one data line per event
        out.write(("id: " + e.seq() + "\nevent: job\ndata: " + e.json() + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0L;
        }
    }
}
