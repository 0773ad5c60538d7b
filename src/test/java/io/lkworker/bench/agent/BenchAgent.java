package io.lkworker.bench.agent;

import io.lkworker.api.Agent;
import io.lkworker.api.JobContext;
import io.lkworker.api.JobProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The agent of {@code WorkerBenchmark}. It appends one line per event to the file named by the
 * environment variable {@code LKW_BENCH_EVENTS} (children inherit the daemon's environment):
 * {@code ready <pid> <epochNanos>} at the end of prewarm, and {@code entered <jobId> <pid> <epochNanos>}
 * as the very first thing its entrypoint does (the time is taken before any I/O), and
 * {@code returned <jobId> <pid> <epochNanos>} as the last (taken just before the write and the return, or before
 * {@code ctx.shutdown} in {@code shut-*} rooms). Each line is one
 * O_APPEND write, so lines from concurrent children never interleave.
 */
public final class BenchAgent implements Agent {

    /** Rooms named {@code hold-*} or {@code shut-*} (stream mode) hold the entrypoint this long; {@code shut-*} then call {@code ctx.shutdown}. */
    private static final long HOLD_MILLIS = 100;

    @Override
    public void prewarm(JobProcess proc) throws IOException {
        append("ready " + ProcessHandle.current().pid() + " " + epochNanos() + "\n");
    }

    @Override
    public void entrypoint(JobContext ctx) throws IOException {
        long entered = epochNanos();
        append("entered " + ctx.job().id() + " " + ProcessHandle.current().pid() + " " + entered + "\n");
        String room = ctx.job().room().name();
        if (room.startsWith("hold-") || room.startsWith("shut-")) {
            // stream mode: a job that holds its process a little, as a short call does
            try {
                Thread.sleep(HOLD_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        append("returned " + ctx.job().id() + " " + ProcessHandle.current().pid() + " " + epochNanos() + "\n");
        if (room.startsWith("shut-")) {
            ctx.shutdown("bench agent done");
        }
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void append(String line) throws IOException {
        String file = System.getenv("LKW_BENCH_EVENTS");
        if (file == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
