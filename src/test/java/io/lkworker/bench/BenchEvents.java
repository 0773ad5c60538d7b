package io.lkworker.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Follows the events file the bench agent appends to ({@code ready <pid> <nanos>},
 * {@code entered <jobId> <pid> <nanos>}) on a polling daemon thread (every 2 ms: a polling reader
 * costs the measured processes nothing, unlike an extra IPC hook would).
 */
final class BenchEvents implements AutoCloseable {

    /** pid → epoch nanos at the end of prewarm. */
    final Map<Long, Long> readyAt = new ConcurrentHashMap<>();
    /** job id → epoch nanos when its entrypoint was entered. */
    final Map<String, Long> enteredAt = new ConcurrentHashMap<>();
    /** job id → epoch nanos just before its entrypoint returned. */
    final Map<String, Long> returnedAt = new ConcurrentHashMap<>();
    /** pids that have been given a job. */
    final Set<Long> busy = ConcurrentHashMap.newKeySet();
    private final Path file;
    private final Thread reader;
    private volatile boolean closed;

    BenchEvents(Path file) {
        this.file = file;
        this.reader = new Thread(this::follow, "bench-events");
        reader.setDaemon(true);
        reader.start();
    }

    private void follow() {
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        byte[] buf = new byte[8192];
        while (!closed) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                while (!closed) {
                    raf.seek(offset);
                    int n = raf.read(buf);
                    if (n <= 0) {
                        Thread.sleep(2);
                        continue;
                    }
                    offset += n;
                    partial.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        parse(partial.substring(0, nl));
                        partial.delete(0, nl + 1);
                    }
                }
            } catch (IOException e) {
                sleepQuietly(); // not created yet
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void parse(String line) {
        String[] f = line.trim().split(" ");
        if (f[0].equals("ready") && f.length == 3) {
            readyAt.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
        } else if (f[0].equals("entered") && f.length == 4) {
            busy.add(Long.parseLong(f[2]));
            enteredAt.put(f[1], Long.parseLong(f[3]));
        } else if (f[0].equals("returned") && f.length == 4) {
            returnedAt.put(f[1], Long.parseLong(f[3]));
        }
    }

    /** Children that finished prewarm, have no job and are alive. */
    int idle() {
        int n = 0;
        for (long pid : readyAt.keySet()) {
            if (!busy.contains(pid) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                n++;
            }
        }
        return n;
    }

    Set<Long> idlePids() {
        Set<Long> pids = ConcurrentHashMap.newKeySet();
        for (long pid : readyAt.keySet()) {
            if (!busy.contains(pid) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                pids.add(pid);
            }
        }
        return pids;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }
}
